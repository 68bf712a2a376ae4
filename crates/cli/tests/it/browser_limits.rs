//! What a person sees in real Chromium when a limit ends their access: a facilitator
//! rotates the participant link, and the participant's open room says so at once.

use std::time::Duration;

use crate::browser::{self, Browser};
use crate::helpers::spawn_app;

#[tokio::test]
async fn a_participant_whose_link_is_rotated_is_told_at_once_in_their_language() {
    let app = spawn_app().await;
    let session = app.create_heidag().await;
    let browser = Browser::launch().await.expect("Chromium starts");
    browser::on_failure(&browser, "link_rotated", async {
        let context = browser.new_context().await?;
        context.set_language("nl");
        let piet = context.new_named_page("piet").await?;
        piet.goto(&session.participant_link).await?;
        piet.click("#display_name").await?;
        piet.type_text("Piet").await?;
        piet.click_and_wait_for_load("form.join button[type=submit]").await?;
        piet.wait_for("document.querySelector('.status')?.dataset.status === 'saved'", Duration::from_secs(10)).await?;

        assert_eq!(app.rotate(&session, "participant").await, reqwest::StatusCode::OK);
        // No reconnect, no "offline": the reason, in Dutch, within a moment.
        piet.wait_for("document.querySelector('.status')?.dataset.status === 'offline'", Duration::from_secs(5))
            .await?;
        let shown = piet.text(".status").await?;
        assert!(shown.contains("Deze link is vervangen"), "{shown}");
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert_eq!(piet.eval("document.querySelector('.status').dataset.status").await?, "offline");
        anyhow::Ok(())
    })
    .await
    .expect("the participant is told");
    app.stop().await;
}
