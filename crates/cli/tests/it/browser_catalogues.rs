//! The catalogues the server sends (channels, forms, sticky colours) drive what the
//! browser offers: the client shows their names and stores the domain's codes, so the
//! exports find the names again.

use std::time::Duration;

use anyhow::Context as _;
use serde_json::Value;

use crate::browser::{self, Browser};
use crate::browser_room::{create_through_the_form, go_to_workspace, open_room};
use crate::helpers::spawn_app;

#[tokio::test]
async fn a_channel_and_a_form_picked_by_name_are_stored_as_codes_and_exported_by_name() {
    let app = spawn_app().await;
    let browser = Browser::launch().await.expect("Chromium starts");
    browser::on_failure(&browser, "catalogues", async {
        let context = browser.new_context().await?;
        context.set_language("nl");
        let fay = context.new_named_page("fay").await?;
        let (id, _) = create_through_the_form(&app, &fay, "Strategiedag Bakkerij Jansen").await?;
        open_room(&app, &fay, &id).await?;
        go_to_workspace(&fay, "Kernboodschap", "core_message").await?;

        // The suggestions are the domain's catalogue, named in the page's language.
        let forms = fay.eval("[...document.querySelectorAll('#forms-list option')].map(o => o.value)").await?;
        assert!(forms.as_array().is_some_and(|f| f.contains(&Value::from("Socialmediapost"))), "{forms}");
        let channels = fay.eval("[...document.querySelectorAll('#channels-list option')].map(o => o.value)").await?;
        assert!(channels.as_array().is_some_and(|c| c.contains(&Value::from("Drukwerk"))), "{channels}");

        // Picked by name (one typed in English lower case), a custom form kept as typed.
        fay.eval("const rows = () => document.querySelectorAll('.plan-line'); const set = (row, n, v) => { row.querySelector(`[name=${n}]`).value = v; }; set(rows()[0], 'channel', 'Instagram'); set(rows()[0], 'form', 'Socialmediapost'); set(rows()[0], 'count', '2'); document.querySelector('[name=calendar_from]').value = '2027-01-01'; const to = document.querySelector('[name=calendar_to]'); to.value = '2027-01-31'; to.dispatchEvent(new Event('change', {bubbles: true}))").await?;
        fay.wait_for("document.querySelectorAll('.calendar-table tr').length >= 8", Duration::from_secs(5)).await?;
        fay.eval("document.activeElement?.blur(); const row = document.querySelectorAll('.plan-line')[1]; row.querySelector('[name=channel]').value = 'print'; const form = row.querySelector('[name=form]'); form.value = 'Receptkaart'; form.dispatchEvent(new Event('change', {bubbles: true}))").await?;

        // Saved: the card comes back with both lines and a fresh empty one.
        fay.wait_for("document.querySelectorAll('.plan-line').length === 3", Duration::from_secs(5)).await?;
        let plan = fay
            .eval(&format!("fetch('/api/sessions/{id}/strategy').then(r => r.json()).then(s => s.core_message.plan)"))
            .await?;
        let lines = plan.as_array().context("the plan is a list")?;
        assert_eq!(lines.len(), 2, "{plan}");
        assert_eq!((lines[0]["channel"].as_str(), lines[0]["form"].as_str()), (Some("instagram"), Some("social_post")));
        assert_eq!((lines[1]["channel"].as_str(), lines[1]["form"].as_str()), (Some("print"), Some("Receptkaart")));

        // The page shows the names again, never the codes.
        fay.wait_for(
            "[...document.querySelectorAll('.calendar-table td')].some(td => td.innerText === 'Socialmediapost')",
            Duration::from_secs(5),
        )
        .await?;
        assert_eq!(
            fay.eval("document.querySelectorAll('.plan-line')[0].querySelector('[name=form]').value").await?,
            Value::from("Socialmediapost")
        );

        // The content calendar export names the form.
        let csv = fay
            .eval(&format!("fetch('/api/sessions/{id}/exports/content.csv?lang=nl').then(r => r.text())"))
            .await?;
        let csv = csv.as_str().context("the CSV is text")?;
        assert!(csv.contains("Socialmediapost") && csv.contains("Instagram"), "{csv}");
        assert!(!csv.contains("social_post"), "{csv}");

        // The sticky palette comes from the catalogue too, named in Dutch.
        fay.eval("[...document.querySelectorAll('.agenda-button')][0].click()").await?;
        fay.wait_for("document.querySelector('.board') && !document.querySelector('.board').hidden", Duration::from_secs(5))
            .await?;
        fay.click(".board").await?;
        fay.press_key("n").await?;
        fay.wait_for("document.activeElement?.classList.contains('sticky-editor')", Duration::from_secs(5)).await?;
        fay.press_key("Escape").await?;
        fay.wait_for("document.querySelector('.palette [data-colour=pink]') !== null", Duration::from_secs(5)).await?;
        assert_eq!(fay.eval("document.querySelector('.palette [data-colour=pink]').getAttribute('aria-label')").await?, Value::from("Roze"));
        fay.click(".palette [data-colour=pink]").await?;
        fay.wait_for("document.querySelector('.sticky')?.classList.contains('pink')", Duration::from_secs(5)).await?;
        anyhow::Ok(())
    })
    .await
    .expect("the catalogues drive the client");
    app.stop().await;
}
