use std::time::Instant;

use typst::layout::{Frame, FrameItem};

use super::*;

fn document(title: &str, blocks: Vec<Block>) -> Document {
    Document { title: title.to_owned(), subtitle: String::new(), lang: "nl", landscape: false, blocks }
}

/// Typst's own view of the text: every shaped run of every page, in order.
/// This is what the PDF's text is made from, before fonts are subsetted.
fn laid_out_text(paged: &PagedDocument) -> String {
    fn walk(frame: &Frame, out: &mut String) {
        for (_, item) in frame.items() {
            match item {
                FrameItem::Group(group) => walk(&group.frame, out),
                FrameItem::Text(text) => out.push_str(&text.text),
                _ => {}
            }
        }
    }
    let mut out = String::new();
    for page in paged.pages() {
        walk(&page.frame, &mut out);
    }
    out
}

/// The font families used for any text in the document.
fn font_families(paged: &PagedDocument) -> Vec<String> {
    fn walk(frame: &Frame, out: &mut Vec<String>) {
        for (_, item) in frame.items() {
            match item {
                FrameItem::Group(group) => walk(&group.frame, out),
                FrameItem::Text(text) => {
                    let family = text.font.info().family.clone();
                    if !out.contains(&family) {
                        out.push(family);
                    }
                }
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    for page in paged.pages() {
        walk(&page.frame, &mut out);
    }
    out
}

/// Text extracted back from the PDF bytes by an independent PDF reader.
fn extracted_text(pdf: &[u8]) -> String {
    pdf_extract::extract_text_from_mem(pdf).expect("pdf-extract reads the PDF")
}

/// Line breaks and justification change whitespace, so compare without it.
fn squash(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

fn assert_contains(haystack: &str, needle: &str, what: &str) {
    assert!(squash(haystack).contains(&squash(needle)), "{what}: {needle:?} not found in {haystack:?}");
}

#[test]
fn dutch_document_renders_and_reads_back() {
    let words = [
        "Verslag van de heisessie",
        "Zoë’s café: één idee per kaart",
        "Budget € 1.250,–",
        "Doelgroep bereiken",
        "Ideeën ordenen",
        "Wie doet wat?",
        "Actie",
        "Eigenaar",
        "Enquête versturen",
        "Anouk",
        "België",
    ];
    let doc = Document {
        title: "Verslag van de heisessie".to_owned(),
        subtitle: "Zoë’s café: één idee per kaart".to_owned(),
        lang: "nl",
        landscape: false,
        blocks: vec![
            Block::Heading { level: 1, text: "Doelgroep bereiken".to_owned() },
            Block::Paragraph("Budget € 1.250,–".to_owned()),
            Block::Bullets(vec!["Ideeën ordenen".to_owned(), "Wie doet wat?".to_owned()]),
            Block::Table {
                header: vec!["Actie".to_owned(), "Eigenaar".to_owned()],
                rows: vec![vec!["Enquête versturen".to_owned(), "Anouk".to_owned()], vec!["België".to_owned()]],
            },
        ],
    };

    let pdf = render_pdf(&doc).expect("renders");
    assert!(pdf.starts_with(b"%PDF-"), "not a PDF: {:?}", &pdf[..pdf.len().min(16)]);

    let text = extracted_text(&pdf);
    for word in words {
        assert_contains(&text, word, "extracted PDF text");
    }
    // The footer's page number ("1 / 1").
    assert_contains(&text, "1 / 1", "extracted PDF text");

    let paged = typeset(&doc).expect("typesets");
    assert_eq!(paged.pages().len(), 1);
    let size = paged.pages()[0].frame.size();
    assert!((size.x.to_mm() - 210.0).abs() < 0.5 && (size.y.to_mm() - 297.0).abs() < 0.5, "A4 portrait: {size:?}");
}

/// Strings that would do something if they were ever read as Typst source.
const HOSTILE: [&str; 14] = [
    "#panic(\"boom\")",
    "#read(\"/etc/passwd\")",
    "#eval(\"1 + 1\")",
    "$x^2$ en $ y $",
    "*bold* _emph_ `raw`",
    "= Heading",
    "- not a list item",
    "+ not a numbered item",
    "<label> @label",
    "// not a comment /* either */",
    "back\\slash \\ and \"quotes\" and 'single'",
    "] ) } #{ [ #let x = 1",
    "emoji 🎉👩‍👩‍👧 done",
    "rtl \u{202E}override\u{202C} end",
];

fn hostile_document() -> Document {
    let mut blocks = vec![Block::Heading { level: 1, text: HOSTILE[5].to_owned() }];
    blocks.extend(HOSTILE.iter().map(|s| Block::Paragraph((*s).to_owned())));
    blocks.push(Block::Bullets(HOSTILE.iter().map(|s| (*s).to_owned()).collect()));
    blocks.push(Block::Table {
        header: vec![HOSTILE[0].to_owned(), HOSTILE[1].to_owned()],
        rows: HOSTILE.chunks(2).map(|pair| pair.iter().map(|s| (*s).to_owned()).collect()).collect(),
    });
    Document {
        title: "#panic(\"title\") $x$".to_owned(),
        subtitle: "#read(\"/etc/passwd\") \\ \"".to_owned(),
        lang: "en",
        landscape: false,
        blocks,
    }
}

#[test]
fn hostile_text_is_shown_verbatim_and_never_executed() {
    let doc = hostile_document();

    // `#panic` would have failed the compilation; `#read` would have failed
    // too (there is no file resolver) or put the file's text in the document.
    let paged = typeset(&doc).expect("hostile text typesets");
    let laid_out = laid_out_text(&paged);
    for hostile in HOSTILE.iter().chain([&doc.title.as_str(), &doc.subtitle.as_str()]) {
        assert_contains(&laid_out, hostile, "laid-out text");
    }
    assert!(!laid_out.contains("root:"), "a file was read into the document");

    // `$x$` as math would be set in the math font; `raw` in the mono font.
    assert_eq!(font_families(&paged), ["Libertinus Serif"], "only the body font is used");

    let pdf = render_pdf(&doc).expect("renders");
    assert!(pdf.starts_with(b"%PDF-"));

    // The PDF text layer holds the same characters. The emoji have no glyph in
    // the embedded fonts, and the bidi override reorders what follows it, so
    // those two are only checked in Typst's own model above.
    let text = extracted_text(&pdf);
    for hostile in &HOSTILE[..12] {
        assert_contains(&text, hostile, "extracted PDF text");
    }
    assert!(!text.contains("root:"));
}

#[test]
fn landscape_is_a4_on_its_side() {
    let mut doc = document("Breed", vec![Block::Paragraph("Liggend".to_owned())]);
    doc.landscape = true;
    let paged = typeset(&doc).expect("typesets");
    let size = paged.pages()[0].frame.size();
    assert!((size.x.to_mm() - 297.0).abs() < 0.5 && (size.y.to_mm() - 210.0).abs() < 0.5, "A4 landscape: {size:?}");
}

#[test]
fn odd_shapes_do_not_break_the_layout() {
    let doc = document(
        "",
        vec![
            Block::Heading { level: 0, text: "nul".to_owned() },
            Block::Heading { level: 200, text: "diep".to_owned() },
            Block::PageBreak,
            Block::PageBreak,
            Block::Paragraph(String::new()),
            Block::Paragraph("regel een\nregel twee".to_owned()),
            Block::Bullets(Vec::new()),
            Block::Table { header: Vec::new(), rows: Vec::new() },
            Block::Table { header: Vec::new(), rows: vec![vec!["a".to_owned()], vec!["b".to_owned(), "c".to_owned()]] },
            Block::Table {
                header: vec!["h".to_owned()],
                rows: vec![vec!["1".to_owned(), "2".to_owned(), "3".to_owned()]],
            },
        ],
    );
    let paged = typeset(&doc).expect("typesets");
    // A weak page break after content starts one new page, never an empty one.
    assert_eq!(paged.pages().len(), 2);
    let text = laid_out_text(&paged);
    for word in ["nul", "diep", "regel een", "regel twee", "a", "b", "c", "h", "1", "2", "3"] {
        assert_contains(&text, word, "laid-out text");
    }
    assert!(render_pdf(&document("Leeg", Vec::new())).expect("renders").starts_with(b"%PDF-"));
}

#[test]
fn unknown_language_is_a_clear_error() {
    let mut doc = document("Titel", Vec::new());
    doc.lang = "xx\" #panic()";
    let error = render_pdf(&doc).expect_err("rejected");
    assert!(matches!(error, PdfError::UnsupportedLanguage(_)));
    assert!(error.to_string().contains("unsupported document language"), "{error}");
}

/// Five pages of report; prints the render times (run with `--nocapture`).
#[test]
fn five_page_document() {
    let mut blocks = Vec::new();
    for page in 1..=5 {
        if page > 1 {
            blocks.push(Block::PageBreak);
        }
        blocks.push(Block::Heading { level: 1, text: format!("Hoofdstuk {page}") });
        for n in 1..=4 {
            blocks.push(Block::Paragraph(format!(
                "Alinea {n}: de deelnemers bespraken het café-concept, de begroting van € {n}.000 en \
                 de ideeën voor het komende kwartaal. Iedereen kreeg één taak mee."
            )));
        }
        blocks.push(Block::Bullets((1..=5).map(|i| format!("Actiepunt {page}.{i}")).collect()));
        blocks.push(Block::Table {
            header: vec!["Actie".to_owned(), "Eigenaar".to_owned(), "Deadline".to_owned()],
            rows: (1..=8).map(|i| vec![format!("Taak {page}.{i}"), "Sanne".to_owned(), "1 juni".to_owned()]).collect(),
        });
    }
    let doc = Document {
        title: "Heisessie Q3".to_owned(),
        subtitle: "Verslag".to_owned(),
        lang: "nl",
        landscape: false,
        blocks,
    };

    let start = Instant::now();
    let first = render_pdf(&doc).expect("renders");
    let first_time = start.elapsed();
    let start = Instant::now();
    let second = render_pdf(&doc).expect("renders");
    let second_time = start.elapsed();
    eprintln!(
        "5-page render: first {first_time:?} (includes parsing the embedded fonts), then {second_time:?}; {} bytes",
        second.len()
    );

    assert!(first.starts_with(b"%PDF-"));
    assert_eq!(typeset(&doc).expect("typesets").pages().len(), 5);
    assert_contains(&extracted_text(&second), "5 / 5", "footer page number");
}
