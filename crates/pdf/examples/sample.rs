//! Writes a sample report, to look at the typography:
//! `cargo run -p heisessie-pdf --example sample -- /tmp/sample.pdf [landscape]`

use heisessie_pdf::{Block, Document, render_pdf};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().unwrap_or_else(|| "sample.pdf".to_owned());
    let landscape = args.next().as_deref() == Some("landscape");
    let s = |text: &str| text.to_owned();
    let document = Document {
        title: s("Heisessie marketingteam"),
        subtitle: s("Verslag van 12 juni · Zoë’s café, Utrecht"),
        lang: "nl",
        landscape,
        blocks: vec![
            Block::Heading { level: 1, text: s("Einddoelen") },
            Block::Paragraph(s(
                "We willen dit jaar meer jonge leden bereiken. Het budget is € 12.500; de ideeën hieronder \
                 kwamen uit de brainstorm van de ochtend. Markup als *dit*, #panic() of $x$ blijft gewoon tekst.",
            )),
            Block::Bullets(vec![
                s("Eén campagne per kwartaal"),
                s("Een enquête onder oud-leden"),
                s("Naïeve aannames toetsen"),
            ]),
            Block::Heading { level: 2, text: s("Acties") },
            Block::Table {
                header: vec![s("Actie"), s("Eigenaar"), s("Deadline")],
                rows: vec![
                    vec![s("Enquête opstellen"), s("Anouk"), s("1 juli")],
                    vec![
                        s("Budget verdelen over de kanalen en de campagneplanning afstemmen"),
                        s("Sanne"),
                        s("15 juli"),
                    ],
                    vec![s("Persbericht")],
                ],
            },
            Block::PageBreak,
            Block::Heading { level: 1, text: s("Kernboodschap") },
            Block::Paragraph(s("Samen maken we de club.\nTweede regel na een harde regelovergang.")),
        ],
    };
    std::fs::write(&path, render_pdf(&document)?)?;
    println!("wrote {path}");
    Ok(())
}
