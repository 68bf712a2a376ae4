//! The room on a phone and a tablet, in real headless Chromium with mobile emulation and
//! touch: no sideways scrolling, one pane at a time behind tabs, a board with a real height,
//! touch targets of 44 px, and a tapped "+ Post-it" that the facilitator's laptop shows.

use std::time::Duration;

use anyhow::Context as _;

use crate::browser::{self, Browser, Page};
use crate::browser_room::{create_through_the_form, join, open_room, save_screenshot};
use crate::helpers::spawn_app;

/// Is the first element matching `css` drawn, and wholly inside the viewport?
async fn inside_viewport(page: &Page, css: &str) -> anyhow::Result<bool> {
    let js = format!(
        "(() => {{ const n = document.querySelector({css:?}); if (!n) return false; const r = n.getBoundingClientRect(); \
         return r.width > 0 && r.height > 0 && r.left >= 0 && r.top >= 0 && r.right <= innerWidth && r.bottom <= innerHeight; }})()"
    );
    Ok(page.eval(&js).await?.as_bool() == Some(true))
}

/// The visible buttons, links and toggles smaller than 44×44 px (the tiny vote buttons on a
/// sticky excepted), as "text w×h".
const SMALL_TARGETS: &str = "[...document.querySelectorAll('button:not(.tiny), a, summary, select')]
    .map(n => [n, n.getBoundingClientRect()])
    .filter(([n, r]) => r.width > 0 && r.height > 0 && (r.width < 44 || r.height < 44))
    .map(([n, r]) => `${n.innerText || n.getAttribute('aria-label')} ${Math.round(r.width)}×${Math.round(r.height)}`)";

async fn number(page: &Page, js: &str) -> anyhow::Result<f64> {
    page.eval(js).await?.as_f64().with_context(|| format!("a number from {js}"))
}

async fn no_sideways_scroll(page: &Page, what: &str) -> anyhow::Result<()> {
    let scroll = number(page, "document.documentElement.scrollWidth").await?;
    let width = number(page, "innerWidth").await?;
    assert!(scroll <= width, "{what}: the page is {scroll} px wide in a {width} px viewport");
    Ok(())
}

#[tokio::test]
async fn the_room_works_on_a_phone_and_a_tablet() {
    let app = spawn_app().await;
    let browser = Browser::launch().await.expect("Chromium starts");
    browser::on_failure(&browser, "room_phone", async {
        let fay_context = browser.new_context().await?;
        fay_context.set_language("nl");
        let fay = fay_context.new_named_page("fay").await?;
        let (id, link) = create_through_the_form(&app, &fay, "Strategiedag Bakkerij Jansen").await?;
        open_room(&app, &fay, &id).await?;
        // The laptop layout has no pane tabs: all panes side by side, as before.
        assert_eq!(fay.eval("getComputedStyle(document.querySelector('.phone-tabs')).display").await?, "none");
        // ...and keeps its compact controls (which also shows the 44 px check below can fail).
        let compact = fay.eval(SMALL_TARGETS).await?;
        assert!(compact.as_array().is_some_and(|small| !small.is_empty()), "compact laptop controls: {compact}");

        let devices = [
            ("telefoon", 390, 844, "Piet", Some("room-phone-nl.png")),
            ("liggende telefoon", 844, 390, "Anna", None),
            ("tablet", 768, 1024, "Joost", Some("room-tablet-nl.png")),
        ];
        let mut pages = Vec::new();
        for (device, width, height, name, screenshot) in devices {
            let context = browser.new_context().await?;
            context.set_language("nl");
            let page = context.new_named_page(&format!("{name}-{width}x{height}")).await?;
            page.emulate_device(width, height, true).await?;
            join(&page, &link, name).await?;
            let what = format!("{device} {width}×{height}");
            assert_eq!(number(&page, "innerWidth").await?, f64::from(width), "{what}: the viewport");

            // Four panes behind tabs, in Dutch; each fits the width of the screen.
            let labels = page.eval("[...document.querySelectorAll('.phone-tab')].map(b => b.innerText)").await?;
            let labels: Vec<String> = serde_json::from_value(labels)?;
            for label in ["Dia", "Bord", "Notulen"] {
                assert!(labels.iter().any(|l| l == label), "{what}: a tab {label} in {labels:?}");
            }
            for pane in ["slide", "notes", "workspace", "board"] {
                let tab = format!(".phone-tab[data-pane={pane}]");
                if page.count(&tab).await? == 0 {
                    continue; // Only parts with a workspace have a Workspace tab.
                }
                page.tap(&tab).await?;
                page.wait_for(&format!("document.querySelector('.room').dataset.pane === '{pane}'"), Duration::from_secs(5))
                    .await?;
                no_sideways_scroll(&page, &format!("{what}, pane {pane}")).await?;
                let small = page.eval(SMALL_TARGETS).await?;
                assert_eq!(small, serde_json::json!([]), "{what}, pane {pane}: touch targets under 44×44 px");
                let tab_height = number(&page, &format!("document.querySelector('{tab}').getBoundingClientRect().height")).await?;
                assert!(tab_height >= 44.0, "{what}: the {pane} tab is {tab_height} px tall");
            }

            // The board pane is open: a real height, and a "+ Post-it" a thumb can hit.
            let board = number(&page, "document.querySelector('.board').getBoundingClientRect().height").await?;
            assert!(board > 200.0, "{what}: the board is {board} px tall");
            let button = page.eval("(() => { const r = document.querySelector('[data-action=add-sticky]').getBoundingClientRect(); return [r.width, r.height]; })()").await?;
            let (w, h) = (button[0].as_f64().unwrap_or(0.0), button[1].as_f64().unwrap_or(0.0));
            assert!(w >= 44.0 && h >= 44.0, "{what}: + Post-it is {w}×{h} px");
            for always in [".timer", ".part-label", ".status"] {
                assert!(inside_viewport(&page, always).await?, "{what}: {always} is on screen");
            }

            // A tap on "+ Post-it" makes a sticky; typed in place, the facilitator sees it.
            page.tap("[data-action=add-sticky]").await?;
            page.wait_for("document.activeElement?.classList.contains('sticky-editor')", Duration::from_secs(5)).await?;
            let text = format!("Vanaf de {device} van {name}");
            page.type_text(&text).await?;
            page.press_key("Enter").await?;
            fay.wait_for(
                &format!("[...document.querySelectorAll('.sticky-text')].some(n => n.innerText === {text:?})"),
                Duration::from_secs(5),
            )
            .await?;
            no_sideways_scroll(&page, &format!("{what}, after the sticky")).await?;
            assert!(inside_viewport(&page, ".timer").await? && inside_viewport(&page, ".status").await?, "{what}: still on screen");
            if let Some(file) = screenshot {
                save_screenshot(&page, file).await?;
            }
            assert!(page.console().iter().all(|line| !line.contains("Uncaught")), "{what}: {:?}", page.console());
            pages.push((what, context, page));
        }

        // The next part has a workspace: it gets its own tab, which fits the screen too.
        fay.click("[data-action=next]").await?;
        for (what, _context, page) in &pages {
            page.wait_for("document.querySelector('.phone-tab[data-pane=workspace]') !== null", Duration::from_secs(5)).await?;
            assert_eq!(page.text(".phone-tab[data-pane=workspace]").await?, "Werkblad", "{what}");
            page.tap(".phone-tab[data-pane=workspace]").await?;
            page.wait_for("document.querySelector('.room').dataset.pane === 'workspace'", Duration::from_secs(5)).await?;
            let workspace = number(page, "document.querySelector('.workspace').getBoundingClientRect().height").await?;
            assert!(workspace > 150.0, "{what}: the workspace is {workspace} px tall");
            no_sideways_scroll(page, &format!("{what}, the workspace")).await?;
            page.tap(".phone-tab[data-pane=board]").await?;
            page.wait_for("document.querySelector('.room').dataset.pane === 'board'", Duration::from_secs(5)).await?;
            let board = number(page, "document.querySelector('.board').getBoundingClientRect().height").await?;
            assert!(board > 200.0, "{what}: the board of a workspace part is {board} px tall");
            assert!(inside_viewport(page, ".timer").await?, "{what}: the timer is on screen");
        }
        anyhow::Ok(())
    })
    .await
    .expect("the room works on a phone and a tablet");
}
