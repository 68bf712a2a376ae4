//! The board as an endless canvas in real Chromium: pan and zoom are one person's own view,
//! while the stickies keep their board coordinates for everyone.

use std::time::Duration;

use anyhow::Context as _;
use serde_json::json;

use crate::browser::{self, Browser, Page};
use crate::browser_room::{create_through_the_form, join, open_room};
use crate::helpers::spawn_app;

async fn number(page: &Page, js: &str) -> anyhow::Result<f64> {
    page.eval(js).await?.as_f64().with_context(|| format!("a number from {js}"))
}

/// The box of the sticky `id` on the screen: [left, top, width, height].
async fn screen_box(page: &Page, id: u64) -> anyhow::Result<[f64; 4]> {
    let value = page
        .eval(&format!(
            "(() => {{ const r = document.querySelector('[data-sticky=\"{id}\"]').getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; }})()"
        ))
        .await?;
    serde_json::from_value(value).context("a box")
}

/// The box of the visible board: [left, top, width, height].
async fn board_box(page: &Page) -> anyhow::Result<[f64; 4]> {
    let value = page
        .eval("(() => { const r = document.querySelector('.board').getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; })()")
        .await?;
    serde_json::from_value(value).context("the board's box")
}

/// Where the sticky `id` is stored, as the other person's screen draws it: (x, y) in board units.
async fn stored(page: &Page, id: u64) -> anyhow::Result<(f64, f64)> {
    let x = number(page, &format!("parseFloat(document.querySelector('[data-sticky=\"{id}\"]').style.left)")).await?;
    let y = number(page, &format!("parseFloat(document.querySelector('[data-sticky=\"{id}\"]').style.top)")).await?;
    Ok((x, y))
}

/// Presses the left button at (x, y), moves by (dx, dy) in ten steps and releases: real pointer events.
async fn drag_from(page: &Page, x: f64, y: f64, dx: f64, dy: f64) -> anyhow::Result<()> {
    let mouse = |kind: &str, x: f64, y: f64, buttons: u8| json!({"type": kind, "x": x, "y": y, "button": if buttons == 0 && kind == "mouseMoved" { "none" } else { "left" }, "buttons": buttons, "clickCount": u8::from(kind != "mouseMoved")});
    page.call("Input.dispatchMouseEvent", mouse("mouseMoved", x, y, 0)).await?;
    page.call("Input.dispatchMouseEvent", mouse("mousePressed", x, y, 1)).await?;
    for step in 1..=10 {
        let part = f64::from(step) / 10.0;
        page.call("Input.dispatchMouseEvent", mouse("mouseMoved", x + dx * part, y + dy * part, 1)).await?;
    }
    page.call("Input.dispatchMouseEvent", mouse("mouseReleased", x + dx, y + dy, 0)).await?;
    Ok(())
}

/// A point of empty board near its edges, checked to be the paper itself.
async fn empty_spot(page: &Page) -> anyhow::Result<(f64, f64)> {
    let spot = page
        .eval(
            "(() => { const r = document.querySelector('.board').getBoundingClientRect(); \
             for (const [fx, fy] of [[0, 0], [1, 0], [0, 1], [0.5, 0], [0, 0.5], [1, 0.5]]) { \
               const x = r.left + 30 + fx * (r.width - 60), y = r.top + 30 + fy * (r.height - 60); \
               const hit = document.elementFromPoint(x, y); if (hit && hit.classList.contains('board')) return [x, y]; } \
             return null; })()",
        )
        .await?;
    let spot: [f64; 2] = serde_json::from_value(spot).context("some empty paper near the edges of the board")?;
    Ok((spot[0], spot[1]))
}

async fn new_sticky(page: &Page, text: &str) -> anyhow::Result<u64> {
    let before = page.count(".sticky").await?;
    let (x, y) = empty_spot(page).await?;
    drag_from(page, x, y, 0.0, 0.0).await?;
    page.press_key("n").await?;
    page.wait_for("document.activeElement?.classList.contains('sticky-editor')", Duration::from_secs(5)).await?;
    page.type_text(text).await?;
    page.press_key("Enter").await?;
    let find = format!(
        "[...document.querySelectorAll('.sticky')].find(n => n.querySelector('.sticky-text')?.textContent === {text:?})"
    );
    page.wait_for(
        &format!("document.querySelectorAll('.sticky').length === {} && {find} !== undefined", before + 1),
        Duration::from_secs(5),
    )
    .await?;
    let id = page.eval(&format!("Number({find}.dataset.sticky)")).await?;
    id.as_u64().context("the new sticky's id")
}

/// Whether the sticky `id` lies wholly inside the visible board.
async fn in_view(page: &Page, id: u64) -> anyhow::Result<bool> {
    let value = page
        .eval(&format!(
            "(() => {{ const b = document.querySelector('.board').getBoundingClientRect(); \
             const r = document.querySelector('[data-sticky=\"{id}\"]').getBoundingClientRect(); \
             return r.left >= b.left && r.top >= b.top && r.right <= b.right && r.bottom <= b.bottom; }})()"
        ))
        .await?;
    value.as_bool().context("a yes or no")
}

/// Types `+` as a US keyboard does (Shift and the `=` key): `Page::press_key` reads `+` as a combo.
async fn press_plus(page: &Page) -> anyhow::Result<()> {
    let key = json!({"key": "+", "code": "Equal", "windowsVirtualKeyCode": 187, "modifiers": 8});
    let mut down = key.clone();
    down["type"] = json!("keyDown");
    down["text"] = json!("+");
    page.call("Input.dispatchKeyEvent", down).await?;
    let mut up = key;
    up["type"] = json!("keyUp");
    page.call("Input.dispatchKeyEvent", up).await?;
    Ok(())
}

fn close(a: f64, b: f64, what: &str) {
    assert!((a - b).abs() <= 1.5, "{what}: {a} is not {b}");
}

#[tokio::test]
async fn pan_and_zoom_are_my_own_view_and_stickies_keep_their_board_coordinates() {
    let app = spawn_app().await;
    let browser = Browser::launch().await.expect("Chromium starts");
    browser::on_failure(&browser, "board_pan_zoom", async {
        let fay_context = browser.new_context().await?;
        fay_context.set_language("nl");
        let fay = fay_context.new_named_page("fay").await?;
        let (id, link) = create_through_the_form(&app, &fay, "Strategiedag Bakkerij Jansen").await?;
        open_room(&app, &fay, &id).await?;
        let piet_context = browser.new_context().await?;
        piet_context.set_language("en");
        let piet = piet_context.new_named_page("piet").await?;
        join(&piet, &link, "Piet").await?;

        // The zoom controls speak the person's language.
        assert_eq!(
            fay.eval("document.querySelector('[data-action=zoom-in]').getAttribute('aria-label')").await?,
            json!("Inzoomen")
        );
        assert_eq!(
            fay.eval("document.querySelector('[data-action=zoom-out]').getAttribute('aria-label')").await?,
            json!("Uitzoomen")
        );
        assert_eq!(fay.text("[data-action=zoom-fit]").await?, "Alles in beeld");
        assert_eq!(piet.text("[data-action=zoom-fit]").await?, "Fit everything");
        assert_eq!(fay.text(".zoom-level").await?, "100%");

        // A new sticky lands in the middle of what Fay sees.
        let first = new_sticky(&fay, "Klantloyaliteit verhogen").await?;
        piet.wait_for(&format!("document.querySelector('[data-sticky=\"{first}\"]') !== null"), Duration::from_secs(5))
            .await?;
        let board = board_box(&fay).await?;
        let start = screen_box(&fay, first).await?;
        assert!(
            // The tools above grow once the sticky has focus, so only the width is exact.
            (start[0] + 80.0 - (board[0] + board[2] / 2.0)).abs() < 2.0
                && start[1] > board[1]
                && start[1] < board[1] + board[3],
            "the new sticky {start:?} sits in the middle of the board {board:?}"
        );
        let home = stored(&piet, first).await?;

        // Zooming in: the label changes, the sticky grows on Fay's screen, its place stays.
        fay.click("[data-action=zoom-in]").await?;
        assert_eq!(fay.text(".zoom-level").await?, "125%");
        let bigger = screen_box(&fay, first).await?;
        close(bigger[2], start[2] * 1.25, "the sticky is 25% wider");
        close(bigger[3], start[3] * 1.25, "the sticky is 25% taller");
        assert_eq!(stored(&piet, first).await?, home, "zooming sends nothing");
        assert_eq!(stored(&fay, first).await?, home, "zooming keeps the board coordinates");
        assert_eq!(piet.text(".zoom-level").await?, "100%", "Piet's view is his own");

        // Panning by dragging the paper: the sticky follows the drag on screen, its place stays.
        let (x, y) = empty_spot(&fay).await?;
        drag_from(&fay, x, y, 120.0, 60.0).await?;
        let panned = screen_box(&fay, first).await?;
        close(panned[0], bigger[0] + 120.0, "the sticky moved right with the drag");
        close(panned[1], bigger[1] + 60.0, "the sticky moved down with the drag");
        assert_eq!(stored(&fay, first).await?, home, "panning keeps the board coordinates");
        assert_eq!(stored(&piet, first).await?, home, "panning sends nothing");

        // At 200% a drag of 100 screen pixels moves the sticky 50 board units, for Piet too.
        // First the paper is dragged so that the sticky sits in the middle, where zooming keeps it.
        let board = board_box(&fay).await?;
        let (x, y) = empty_spot(&fay).await?;
        drag_from(
            &fay,
            x,
            y,
            board[0] + board[2] / 2.0 - (panned[0] + panned[2] / 2.0),
            board[1] + board[3] / 2.0 - (panned[1] + panned[3] / 2.0),
        )
        .await?;
        fay.click("[data-action=zoom-in]").await?;
        press_plus(&fay).await?;
        assert_eq!(fay.text(".zoom-level").await?, "200%");
        fay.drag(&format!("[data-sticky=\"{first}\"]"), 100.0, 0.0).await?;
        let moved = (home.0 + 50.0, home.1);
        piet.wait_for(
            &format!("parseFloat(document.querySelector('[data-sticky=\"{first}\"]').style.left) === {}", moved.0),
            Duration::from_secs(5),
        )
        .await?;
        assert_eq!(stored(&piet, first).await?, moved);

        // The wheel pans far away; a second sticky there; the first is out of sight.
        for _ in 0..3 {
            let (x, y) = empty_spot(&fay).await?;
            fay.call(
                "Input.dispatchMouseEvent",
                json!({"type": "mouseWheel", "x": x, "y": y, "deltaX": 500, "deltaY": 0}),
            )
            .await?;
        }
        let second = new_sticky(&fay, "Tweede filiaal openen").await?;
        assert!(!in_view(&fay, first).await?, "the first sticky is out of sight after the wheel");
        let new_box = screen_box(&fay, second).await?;
        let board = board_box(&fay).await?;
        let middle = (new_box[0] + new_box[2] / 2.0, new_box[1] + new_box[3] / 2.0);
        assert!(
            middle.0 > board[0]
                && middle.0 < board[0] + board[2]
                && middle.1 > board[1]
                && middle.1 < board[1] + board[3],
            "the new sticky {new_box:?} is in sight on the board {board:?}"
        );
        piet.wait_for(
            &format!("document.querySelector('[data-sticky=\"{second}\"]') !== null"),
            Duration::from_secs(5),
        )
        .await?;
        let far = stored(&piet, second).await?;
        assert!(far.0 > moved.0 + 500.0, "the second sticky sits where Fay looked: {far:?}");

        // "Alles in beeld" brings both into view; the 0 key does the same for Piet.
        fay.click("[data-action=zoom-fit]").await?;
        assert!(in_view(&fay, first).await? && in_view(&fay, second).await?, "both stickies in view");
        let level = fay.text(".zoom-level").await?;
        assert!(level.trim_end_matches('%').parse::<u32>()? <= 100, "fitting zooms out: {level}");
        assert_eq!(stored(&fay, first).await?, moved);
        let (x, y) = empty_spot(&piet).await?;
        drag_from(&piet, x, y, -400.0, -300.0).await?;
        piet.press_key("0").await?;
        assert!(in_view(&piet, first).await? && in_view(&piet, second).await?, "both stickies in Piet's view");

        // With the space bar held, a drag on a sticky pans instead of moving it.
        piet.click(".zoom-level").await?;
        let space = json!({"key": " ", "code": "Space", "windowsVirtualKeyCode": 32});
        let mut down = space.clone();
        down["type"] = json!("keyDown");
        down["text"] = json!(" ");
        let (x, y) = empty_spot(&piet).await?;
        drag_from(&piet, x, y, 0.0, 0.0).await?;
        piet.call("Input.dispatchKeyEvent", down).await?;
        // Measured from the board's corner: the tools above change once the sticky has focus.
        let (held, held_board) = (screen_box(&piet, first).await?, board_box(&piet).await?);
        piet.drag(&format!("[data-sticky=\"{first}\"]"), 70.0, 40.0).await?;
        let mut up = space;
        up["type"] = json!("keyUp");
        piet.call("Input.dispatchKeyEvent", up).await?;
        let (after_space, after_board) = (screen_box(&piet, first).await?, board_box(&piet).await?);
        close(after_space[0] - after_board[0], held[0] - held_board[0] + 70.0, "space+drag pans (x)");
        close(after_space[1] - after_board[1], held[1] - held_board[1] + 40.0, "space+drag pans (y)");
        assert_eq!(stored(&piet, first).await?, moved, "space+drag leaves the sticky where it is");
        assert_eq!(stored(&fay, first).await?, moved);

        // Ctrl+wheel zooms at the pointer: the board point under it stays put.
        let before = screen_box(&fay, first).await?;
        let (px, py) = (before[0] + 10.0, before[1] + 10.0);
        fay.call(
            "Input.dispatchMouseEvent",
            json!({"type": "mouseWheel", "x": px, "y": py, "deltaX": 0, "deltaY": -200, "modifiers": 2}),
        )
        .await?;
        let after = screen_box(&fay, first).await?;
        assert!(after[2] > before[2] * 1.2, "Ctrl+wheel zooms in: {before:?} → {after:?}");
        let ratio = after[2] / before[2];
        close(px - after[0], (px - before[0]) * ratio, "the point under the pointer stays put (x)");
        close(py - after[1], (py - before[1]) * ratio, "the point under the pointer stays put (y)");
        anyhow::Ok(())
    })
    .await
    .expect("the board pans and zooms");
    drop(browser);
    app.stop().await;
}

/// Puts two fingers down at `from`, moves them to `to` in ten steps and lifts them: real touches.
async fn two_fingers(page: &Page, from: [(f64, f64); 2], to: [(f64, f64); 2]) -> anyhow::Result<()> {
    let points = |part: f64| {
        json!(
            from.iter()
                .zip(to.iter())
                .enumerate()
                .map(|(id, (a, b))| json!({"x": a.0 + (b.0 - a.0) * part, "y": a.1 + (b.1 - a.1) * part, "id": id}))
                .collect::<Vec<_>>()
        )
    };
    page.call("Input.dispatchTouchEvent", json!({"type": "touchStart", "touchPoints": points(0.0)})).await?;
    for step in 1..=10 {
        page.call(
            "Input.dispatchTouchEvent",
            json!({"type": "touchMove", "touchPoints": points(f64::from(step) / 10.0)}),
        )
        .await?;
    }
    page.call("Input.dispatchTouchEvent", json!({"type": "touchEnd", "touchPoints": []})).await?;
    Ok(())
}

#[tokio::test]
async fn two_fingers_pan_and_pinch_the_board_on_a_phone() {
    let app = spawn_app().await;
    let browser = Browser::launch().await.expect("Chromium starts");
    browser::on_failure(&browser, "board_pinch", async {
        let fay_context = browser.new_context().await?;
        fay_context.set_language("nl");
        let fay = fay_context.new_named_page("fay").await?;
        let (id, link) = create_through_the_form(&app, &fay, "Strategiedag Bakkerij Jansen").await?;
        open_room(&app, &fay, &id).await?;
        let first = new_sticky(&fay, "Klantloyaliteit verhogen").await?;

        let phone_context = browser.new_context().await?;
        phone_context.set_language("nl");
        let phone = phone_context.new_named_page("phone").await?;
        phone.emulate_device(390, 844, true).await?;
        join(&phone, &link, "Piet").await?;
        phone.tap(".phone-tab[data-pane=board]").await?;
        phone.wait_for("document.querySelector('.room').dataset.pane === 'board'", Duration::from_secs(5)).await?;
        phone
            .wait_for(&format!("document.querySelector('[data-sticky=\"{first}\"]') !== null"), Duration::from_secs(5))
            .await?;
        let home = stored(&fay, first).await?;
        let board = board_box(&phone).await?;
        let (cx, cy) = (board[0] + board[2] / 2.0, board[1] + board[3] / 2.0);

        // Two fingers moving together pan.
        let before = screen_box(&phone, first).await?;
        two_fingers(&phone, [(cx - 60.0, cy), (cx + 60.0, cy)], [(cx - 20.0, cy + 30.0), (cx + 100.0, cy + 30.0)])
            .await?;
        let panned = screen_box(&phone, first).await?;
        close(panned[0], before[0] + 40.0, "two fingers pan (x)");
        close(panned[1], before[1] + 30.0, "two fingers pan (y)");
        assert_eq!(phone.text(".zoom-level").await?, "100%");

        // Two fingers spreading to twice their distance zoom to 200%.
        two_fingers(&phone, [(cx - 50.0, cy), (cx + 50.0, cy)], [(cx - 100.0, cy), (cx + 100.0, cy)]).await?;
        assert_eq!(phone.text(".zoom-level").await?, "200%");
        close(screen_box(&phone, first).await?[2], before[2] * 2.0, "the sticky is twice as wide");
        assert_eq!(stored(&phone, first).await?, home, "pinching keeps the board coordinates");
        assert_eq!(stored(&fay, first).await?, home, "pinching sends nothing");
        assert_eq!(fay.text(".zoom-level").await?, "100%");
        anyhow::Ok(())
    })
    .await
    .expect("two fingers pan and pinch");
    drop(browser);
    app.stop().await;
}
