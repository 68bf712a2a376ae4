//! The browser driver against real Chromium: the home page, the language switch, the create
//! form and a second person without the link; and the input events the driver sends.

use std::time::{Duration, Instant};

use anyhow::Context as _;

use crate::browser::{self, Browser};
use crate::helpers::spawn_app;

#[tokio::test]
async fn a_person_creates_a_session_in_chromium_and_a_second_person_needs_the_link() {
    let started = Instant::now();
    let app = spawn_app().await;
    let browser = Browser::launch().await.expect("Chromium starts");
    let shots = tempfile::tempdir().expect("a temp folder");
    browser::on_failure(&browser, "browser_smoke", async {
        let alice = browser.new_context().await?;
        let page = alice.new_named_page("alice").await?;
        page.set_extra_headers(&[("Accept-Language", "nl")]).await?;
        page.goto(&app.url("/")).await?;
        let heading = page.text("h1").await?;
        assert!(heading.contains("Nieuwe heisessie"), "{heading}");

        page.click_and_wait_for_load("a.lang").await?;
        let heading = page.text("h1").await?;
        assert!(heading.contains("New strategy day"), "{heading}");

        page.click("#title").await?;
        page.type_text("Heidag in Chromium").await?;
        page.click_and_wait_for_load("form.create button[type=submit]").await?;
        let alert = page.eval("document.querySelector('[role=alert]')?.innerText ?? ''").await?;
        assert_eq!(alert, "", "the form was refused");
        page.wait_for_text("Your session is ready").await?;
        assert_eq!(page.count("dl.links input").await?, 2);
        let id = page
            .eval("new URL(document.querySelector('a.button.secondary').href).pathname.split('/')[2]")
            .await?
            .as_str()
            .context("a session id in the open link")?
            .to_owned();

        let shot = shots.path().join("created.png");
        page.screenshot(&shot).await?;
        let png = std::fs::read(&shot)?;
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 1000, "a PNG of {} bytes", png.len());

        // Alice's cookie opens the session page; Bob (another context) needs the link.
        page.goto(&app.url(&format!("/s/{id}"))).await?;
        assert!(page.eval("document.title").await?.as_str().unwrap_or_default().contains("Heidag in Chromium"));
        let bob = browser.new_context().await?;
        bob.set_language("en");
        let other = bob.new_named_page("bob").await?;
        assert_eq!(other.eval("navigator.language").await?, "en");
        other.goto(&app.url(&format!("/s/{id}"))).await?;
        let text = other.text("main").await?;
        assert!(text.contains("You need the session's link"), "{text}");
        anyhow::Ok(())
    })
    .await
    .expect("the browser test passes");
    // Chromium's open connections would hold up the server's graceful stop.
    drop(browser);
    app.stop().await;
    eprintln!("browser smoke test took {:?}", started.elapsed());
}

/// A page (no server) that records what the driver's input produces.
const INPUT_PAGE: &str = r#"
    document.body.innerHTML = `
        <form id="f"><input id="field"></form>
        <button id="b">click</button> <span id="d">double</span>
        <div id="box" style="position:absolute; left:100px; top:300px; width:80px; height:80px; background:teal; touch-action:none"></div>`;
    window.seen = [];
    const note = e => seen.push(e.type + (e.key ? ":" + e.key + ":" + e.code + ":" + e.keyCode : "") + (e.isTrusted ? "" : ":untrusted"));
    for (const type of ["click", "dblclick", "keydown"]) document.addEventListener(type, note);
    document.getElementById("f").addEventListener("submit", e => { e.preventDefault(); seen.push("submit"); });
    const box = document.getElementById("box");
    let from = null;
    box.addEventListener("pointerdown", e => { from = { x: e.clientX, y: e.clientY, left: box.offsetLeft, top: box.offsetTop }; box.setPointerCapture(e.pointerId); seen.push("pointerdown"); });
    box.addEventListener("pointermove", e => { if (from) { box.style.left = from.left + e.clientX - from.x + "px"; box.style.top = from.top + e.clientY - from.y + "px"; } });
    box.addEventListener("pointerup", () => { from = null; seen.push("pointerup"); });
    true
"#;

#[tokio::test]
async fn the_driver_sends_real_clicks_keys_and_drags() {
    let browser = Browser::launch().await.expect("Chromium starts");
    browser::on_failure(&browser, "browser_input", async {
        let context = browser.new_context().await?;
        context.set_language("nl");
        let page = context.new_page().await?;
        page.goto("about:blank").await?;
        page.eval(INPUT_PAGE).await?;
        assert_eq!(
            page.eval("[navigator.language, innerWidth, innerHeight]").await?,
            serde_json::json!(["nl", 1280, 800])
        );

        page.click("#field").await?;
        page.type_text("hello").await?;
        page.press_key("ArrowLeft").await?;
        page.press_key("Backspace").await?;
        page.press_key("Delete").await?;
        page.press_key("n").await?;
        assert_eq!(page.eval("document.getElementById('field').value").await?, "heln");
        page.press_key("Enter").await?;
        page.press_key("Escape").await?;
        page.click("#b").await?;
        page.double_click("#d").await?;
        page.drag("#box", 150.0, -100.0).await?;
        let seen = page.eval("seen.join(' ')").await?;
        let seen = seen.as_str().unwrap_or_default();
        for expected in [
            "keydown:ArrowLeft:ArrowLeft:37",
            "keydown:Backspace:Backspace:8",
            "keydown:Delete:Delete:46",
            "keydown:n:KeyN:78",
            "keydown:Enter:Enter:13 submit",
            "keydown:Escape:Escape:27",
            "click click click dblclick",
            "pointerdown pointerup",
        ] {
            assert!(seen.contains(expected), "{expected:?} in {seen:?}");
        }
        assert!(!seen.contains("untrusted"), "{seen}");
        assert_eq!(page.eval("[box.offsetLeft, box.offsetTop]").await?, serde_json::json!([250, 200]));
        assert_eq!(page.count("div#box").await?, 1);
        assert_eq!(page.text("#b").await?, "click");

        // Errors say what went wrong.
        let thrown = page.eval("(() => { throw new Error('kapot') })()").await.unwrap_err().to_string();
        assert!(thrown.contains("kapot"), "{thrown}");
        let waited = page.wait_for("window.never === 1", Duration::from_millis(200)).await.unwrap_err().to_string();
        assert!(waited.contains("window.never === 1"), "{waited}");
        let missing = page.text("#nope").await.unwrap_err().to_string();
        assert!(missing.contains("#nope"), "{missing}");
        page.eval("console.log('hallo', 42)").await?;
        page.wait_for("true", Duration::from_secs(1)).await?;
        assert!(page.console().iter().any(|line| line == "console.log: hallo 42"), "{:?}", page.console());
        anyhow::Ok(())
    })
    .await
    .expect("the driver works");
}
