//! The web app in real headless Chromium: a facilitator and a participant, each in their
//! own browser context, work the room together. A failing test leaves a screenshot of
//! every page in `target/browser-failures/`.

use std::time::Duration;

use anyhow::Context as _;
use serde_json::Value;

use crate::browser::{self, Browser, Page};
use crate::helpers::{TestApp, spawn_app};

/// Where the README's screenshots come from (`UPDATE_SCREENSHOTS=1`).
fn screenshot_dir() -> Option<std::path::PathBuf> {
    std::env::var_os("UPDATE_SCREENSHOTS")
        .map(|_| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/screenshots"))
}

pub(crate) async fn save_screenshot(page: &Page, name: &str) -> anyhow::Result<()> {
    if let Some(dir) = screenshot_dir() {
        std::fs::create_dir_all(&dir)?;
        page.screenshot(dir.join(name)).await?;
    }
    Ok(())
}

/// Creates a session through the home page form and returns (session id, participant link).
pub(crate) async fn create_through_the_form(
    app: &TestApp,
    page: &Page,
    title: &str,
) -> anyhow::Result<(String, String)> {
    page.goto(&app.url("/")).await?;
    page.click("#title").await?;
    page.type_text(title).await?;
    page.eval("document.querySelector('#meeting_link').value = 'https://meet.jit.si/heisessie-test'").await?;
    page.click_and_wait_for_load("form.create button[type=submit]").await?;
    let link = page
        .eval("document.querySelectorAll('dl.links input')[1].value")
        .await?
        .as_str()
        .context("the participant link is shown")?
        .to_owned();
    let id = link.split("/s/").nth(1).and_then(|rest| rest.split('?').next()).context("an id in the link")?.to_owned();
    Ok((id, link))
}

pub(crate) async fn open_room(app: &TestApp, page: &Page, id: &str) -> anyhow::Result<()> {
    page.goto(&app.url(&format!("/s/{id}"))).await?;
    page.wait_for("document.querySelector('.status')?.dataset.status === 'saved'", Duration::from_secs(10)).await
}

pub(crate) async fn join(page: &Page, link: &str, name: &str) -> anyhow::Result<()> {
    page.goto(link).await?;
    page.click("#display_name").await?;
    page.type_text(name).await?;
    page.click_and_wait_for_load("form.join button[type=submit]").await?;
    page.wait_for("document.querySelector('.status')?.dataset.status === 'saved'", Duration::from_secs(10)).await
}

async fn number(page: &Page, js: &str) -> anyhow::Result<f64> {
    page.eval(js).await?.as_f64().with_context(|| format!("a number from {js}"))
}

#[tokio::test]
async fn a_facilitator_and_a_participant_work_the_room_together() {
    let app = spawn_app().await;
    let browser = Browser::launch().await.expect("Chromium starts");
    browser::on_failure(&browser, "room_together", async {
        let fay_context = browser.new_context().await?;
        fay_context.set_language("nl");
        let fay = fay_context.new_named_page("fay").await?;
        let (id, link) = create_through_the_form(&app, &fay, "Strategiedag Bakkerij Jansen").await?;
        open_room(&app, &fay, &id).await?;
        assert_eq!(fay.text(".room-title").await?, "Strategiedag Bakkerij Jansen");
        assert!(fay.text(".part-label").await?.starts_with("1/6"));

        let piet_context = browser.new_context().await?;
        piet_context.set_language("nl");
        let piet = piet_context.new_named_page("piet").await?;
        join(&piet, &link, "Piet").await?;
        // The participant sees no facilitator controls.
        for control in ["[data-action=next]", "[data-action=open-vote]", "[data-action=models-all]", "[data-action^=timer-]"] {
            assert_eq!(piet.count(control).await?, 0, "{control} is hidden from a participant");
        }
        assert!(fay.count("[data-action=next]").await? == 1 && fay.count("[data-action=open-vote]").await? == 1);

        // A sticky added with the N key and typed in place appears on the other screen.
        fay.click(".board").await?;
        fay.press_key("n").await?;
        fay.wait_for("document.activeElement?.classList.contains('sticky-editor')", Duration::from_secs(5)).await?;
        fay.type_text("Klantloyaliteit verhogen").await?;
        fay.press_key("Enter").await?;
        piet.wait_for("[...document.querySelectorAll('.sticky-text')].some(n => n.innerText === 'Klantloyaliteit verhogen')", Duration::from_secs(5)).await?;

        // A drag on one screen moves the sticky on the other, and survives a reload.
        let before = number(&piet, "parseInt(document.querySelector('.sticky').style.left)").await?;
        piet.drag(".sticky", 150.0, 90.0).await?;
        let target = before + 150.0;
        fay.wait_for(&format!("parseInt(document.querySelector('.sticky').style.left) === {target}"), Duration::from_secs(5)).await?;
        piet.reload().await?;
        piet.wait_for(&format!("parseInt(document.querySelector('.sticky')?.style.left) === {target}"), Duration::from_secs(10)).await?;

        // Piet becomes timekeeper; the timer he starts counts down on both screens.
        let piet_id = piet.eval("fetch(location.pathname.replace('/s/', '/api/sessions/')).then(r => r.json()).then(s => s.you.id)").await?;
        let body = serde_json::json!({"role": "timekeeper", "participant_id": piet_id}).to_string();
        let status = fay
            .eval(&format!(
                "fetch('/api/sessions/{id}/roles', {{method: 'POST', headers: {{'content-type': 'application/json'}}, body: {body:?}}}).then(r => r.status)"
            ))
            .await?;
        assert_eq!(status, Value::from(200));
        piet.wait_for("document.querySelector('[data-action=timer-start]') !== null", Duration::from_secs(5)).await?;
        piet.click("[data-action=timer-start]").await?;
        for page in [&fay, &piet] {
            page.wait_for("document.querySelector('.timer').dataset.remaining !== ''", Duration::from_secs(5)).await?;
            let first = number(page, "Number(document.querySelector('.timer').dataset.remaining)").await?;
            page.wait_for(&format!("Number(document.querySelector('.timer').dataset.remaining) < {first}"), Duration::from_secs(5)).await?;
            assert!(first <= 15.0 * 60.0 && first > 14.0 * 60.0, "a 15-minute part: {first} s left");
        }
        assert_eq!(fay.count("[data-action=timer-pause]").await?, 1, "the facilitator may run the timer too");

        // Advancing the part moves both screens.
        fay.click("[data-action=next]").await?;
        for page in [&fay, &piet] {
            page.wait_for("document.querySelector('.part-label').innerText.startsWith('2/6')", Duration::from_secs(5)).await?;
        }
        assert!(piet.text(".slide-title").await?.contains("Einddoelen"));

        // The models slide opens for everyone and closes again, without losing the place.
        fay.click("[data-action=models-all]").await?;
        piet.wait_for("!document.querySelector('.overlay').hidden", Duration::from_secs(5)).await?;
        assert!(piet.text(".overlay").await?.contains("SMART-doelen"));
        save_screenshot(&piet, "room-models-nl.png").await?;
        fay.click("[data-action=close-models-all]").await?;
        piet.wait_for("document.querySelector('.overlay').hidden", Duration::from_secs(5)).await?;
        assert!(piet.text(".part-label").await?.starts_with("2/6"));
        // Piet opens the model for himself alone; Fay's screen stays as it was.
        piet.click("[data-action=models-me]").await?;
        piet.wait_for("!document.querySelector('.overlay').hidden", Duration::from_secs(5)).await?;
        assert!(fay.eval("document.querySelector('.overlay').hidden").await? == Value::Bool(true));
        piet.click("[data-action=close-models]").await?;

        // Notes: the facilitator writes, the participant reads.
        fay.click(".notes-editor").await?;
        fay.type_text("Einddoel 1: nummer 1 in de regio.").await?;
        piet.wait_for("document.querySelector('.notes-text')?.innerText.includes('nummer 1 in de regio')", Duration::from_secs(5)).await?;
        assert_eq!(piet.count(".notes-editor").await?, 0);

        // End goals open on their workspace; the board is one tab away.
        assert_eq!(fay.count(".workspace:not([hidden]) section.end-goals").await?, 1);
        fay.click("[data-tab=board]").await?;
        fay.click(".board").await?;
        fay.press_key("n").await?;
        fay.wait_for("document.activeElement?.classList.contains('sticky-editor')", Duration::from_secs(5)).await?;
        fay.type_text("Nummer 1 in de regio binnen 3 jaar").await?;
        fay.press_key("Enter").await?;
        fay.wait_for("document.querySelectorAll('.sticky').length === 1", Duration::from_secs(5)).await?;
        save_screenshot(&fay, "room-nl.png").await?;
        anyhow::Ok(())
    })
    .await
    .expect("the room works for both");
    app.stop().await;
}

#[tokio::test]
async fn the_screens_render_in_english_and_the_agenda_is_prepared_by_dragging() {
    let app = spawn_app().await;
    let browser = Browser::launch().await.expect("Chromium starts");
    browser::on_failure(&browser, "english_and_prepare", async {
        let context = browser.new_context().await?;
        context.set_language("en-GB");
        let page = context.new_named_page("facilitator").await?;
        page.goto(&app.url("/")).await?;
        assert!(page.text("h1").await?.contains("New strategy day"));
        save_screenshot(&page, "home-en.png").await?;
        let (id, _) = create_through_the_form(&app, &page, "Strategy day Jansen Bakery").await?;
        assert!(page.text("main").await?.contains("Your session is ready"));
        assert_eq!(page.count("img.qr").await?, 1, "the participant link as a QR code");

        // Prepare: the QR and link come along in the fragment; drag Models below End goals.
        page.click_and_wait_for_load("a.button[href*='/prepare']").await?;
        page.wait_for("document.querySelectorAll('.program-row').length === 6", Duration::from_secs(10)).await?;
        assert!(page.eval("document.querySelector('.link-input').value.includes('k=')").await? == Value::Bool(true));
        page.wait_for("document.querySelector('.qr-box img') !== null", Duration::from_secs(5)).await?;
        assert!(page.text(".prepare").await?.contains("Schedule"));
        let first = page.text(".program-row .part-title").await?;
        assert_eq!(first, "Models");
        page.drag(".program-row .handle", 0.0, 90.0).await?;
        page.wait_for("document.querySelector('.program-row .part-title').innerText === 'End goals'", Duration::from_secs(5)).await?;
        // A longer part re-plans at once and the warning appears in place.
        page.eval("const m = document.querySelectorAll('.program-row input.minutes')[4]; m.value = '120'; m.dispatchEvent(new Event('change'))").await?;
        page.wait_for("document.querySelector('.schedule-preview .warnings') !== null", Duration::from_secs(5)).await?;
        assert!(page.count(".cut-hint").await? >= 1, "the suggested cut shows next to its part");
        save_screenshot(&page, "prepare-en.png").await?;

        // The room in English.
        page.goto(&app.url(&format!("/s/{id}"))).await?;
        page.wait_for("document.querySelector('.status')?.dataset.status === 'saved'", Duration::from_secs(10)).await?;
        assert_eq!(page.text(".status").await?, "Saved");
        assert!(page.text(".side").await?.contains("Notes"));
        assert!(page.text(".part-label").await?.contains("End goals"));
        anyhow::Ok(())
    })
    .await
    .expect("English screens and the prepare page work");
    app.stop().await;
}

/// Goes to the part whose workspace is `kind` (facilitator, through the agenda).
pub(crate) async fn go_to_workspace(page: &Page, title: &str, kind: &str) -> anyhow::Result<()> {
    page.eval(&format!(
        "[...document.querySelectorAll('.agenda-button')].find(b => b.innerText.includes({title:?})).click()"
    ))
    .await?;
    page.wait_for(&format!("document.querySelector('.workspace')?.dataset.kind === {kind:?} && !document.querySelector('.workspace').hidden"), Duration::from_secs(5)).await
}

async fn fill_and_submit(page: &Page, form: &str, text: &str) -> anyhow::Result<()> {
    page.click(&format!("{form} input, {form} textarea")).await?;
    page.type_text(text).await?;
    page.click(&format!("{form} button[type=submit]")).await
}

/// Fay creates a session in one browser context and Piet joins it in another.
async fn two_people(
    app: &TestApp,
    browser: &Browser,
) -> anyhow::Result<(Page, Page, browser::Context, browser::Context)> {
    let fay_context = browser.new_context().await?;
    fay_context.set_language("nl");
    let fay = fay_context.new_named_page("fay").await?;
    let (id, link) = create_through_the_form(app, &fay, "Strategiedag Bakkerij Jansen").await?;
    open_room(app, &fay, &id).await?;
    let piet_context = browser.new_context().await?;
    piet_context.set_language("nl");
    let piet = piet_context.new_named_page("piet").await?;
    join(&piet, &link, "Piet").await?;
    Ok((fay, piet, fay_context, piet_context))
}

/// Runs one workspace's browser test: the app, Chromium, two people, a screenshot on failure.
macro_rules! workspace_test {
    ($name:ident, |$fay:ident, $piet:ident| $body:block) => {
        #[tokio::test]
        async fn $name() {
            let app = spawn_app().await;
            let browser = Browser::launch().await.expect("Chromium starts");
            browser::on_failure(&browser, stringify!($name), async {
                let ($fay, $piet, _fay_context, _piet_context) = two_people(&app, &browser).await?;
                $body
                anyhow::Ok(())
            })
            .await
            .expect(stringify!($name));
            app.stop().await;
        }
    };
}

workspace_test!(the_end_goals_workspace_is_shared_ordered_and_voted_on, |fay, piet| {
    go_to_workspace(&fay, "Einddoelen", "end_goals").await?;
    fill_and_submit(&fay, "section.end-goals form.ws-new", "Nummer 1 bakkerij van Utrecht").await?;
    // The first card pushes the form down: click it only once it has moved.
    fay.wait_for("document.querySelectorAll('section.end-goals .ws-card').length === 1", Duration::from_secs(5))
        .await?;
    fill_and_submit(&fay, "section.end-goals form.ws-new", "Hoge klantloyaliteit").await?;
    piet.wait_for(
        "[...document.querySelectorAll('section.end-goals textarea')].some(t => t.value === 'Hoge klantloyaliteit')",
        Duration::from_secs(5),
    )
    .await?;
    piet.click("section.end-goals .ws-card:first-child [data-action=support]").await?;
    fay.wait_for(
        "document.querySelector('section.end-goals [data-action=support]').innerText.includes('1')",
        Duration::from_secs(5),
    )
    .await?;
    fay.click("section.end-goals .ws-card:nth-child(2) [data-action=end-goal-up]").await?;
    piet.wait_for(
        "document.querySelector('section.end-goals textarea').value === 'Hoge klantloyaliteit'",
        Duration::from_secs(5),
    )
    .await?;
});

workspace_test!(the_smart_goals_workspace_checks_each_letter, |fay, piet| {
    go_to_workspace(&fay, "SMART-doelen", "smart_goals").await?;
    fill_and_submit(&fay, "section.smart-goals form.ws-new", "Voor het eind van dit jaar haalt ons bedrijf minimaal 10% meer omzet dan vorig jaar, door het €1000,- marketing overschot van vorig jaar te investeren in maandelijkse social media marketing.").await?;
    fay.wait_for("document.querySelectorAll('.smart-check .letter.holds').length === 5", Duration::from_secs(5))
        .await?;
    fill_and_submit(&fay, "section.smart-goals form.ws-new", "We willen meer omzet.").await?;
    fay.wait_for("document.querySelectorAll('.smart-goal').length === 2", Duration::from_secs(5)).await?;
    let vague = fay.eval("[...document.querySelectorAll('.smart-goal')[1].querySelectorAll('.letter')].map(l => l.dataset.verdict).join(',')").await?;
    let vague = vague.as_str().unwrap_or_default().to_owned();
    assert!(vague.starts_with("unclear,missing") && vague.ends_with("missing"), "{vague}");
    assert!(fay.text(".smart-goal:nth-child(2) .smart-check").await?.contains("→"), "a suggestion is shown");
    // Filling in the fields makes the vague goal SMART, on both screens.
    fay.eval("const card = document.querySelectorAll('.smart-goal')[1]; const set = (n, v) => { card.querySelector(`[name=${n}]`).value = v; }; set('owner', 'Het salesteam'); set('metric', 'omzet'); set('baseline', '100000'); set('target', '110000'); set('deadline', '2099-12-31'); set('means', 'twee extra beurzen'); card.querySelector('[name=means]').dispatchEvent(new Event('change', {bubbles: true}))").await?;
    piet.wait_for(
        "document.querySelectorAll('.smart-goal')[1]?.querySelectorAll('.letter.holds').length === 5",
        Duration::from_secs(5),
    )
    .await?;
    save_screenshot(&fay, "smart-nl.png").await?;
});

workspace_test!(the_personas_workspace_shows_completeness_and_a_primary_persona, |fay, piet| {
    go_to_workspace(&fay, "Doelgroep", "personas").await?;
    fill_and_submit(&fay, "section.personas form.ws-new", "Sanne").await?;
    fay.wait_for("document.querySelector('.persona progress')?.value === 1", Duration::from_secs(5)).await?;
    fay.click(".persona textarea[name=pain_points]").await?;
    fay.type_text("Geen tijd om zelf te bakken").await?;
    fay.click(".persona input[name=hobbies]").await?;
    fay.wait_for("document.querySelector('.persona progress')?.value === 2", Duration::from_secs(5)).await?;
    assert_eq!(piet.count("[data-action=make-primary]").await?, 0, "only the facilitator picks the primary persona");
    fay.click("[data-action=make-primary]").await?;
    piet.wait_for("document.querySelector('.persona.primary') !== null", Duration::from_secs(5)).await?;
});

workspace_test!(the_core_message_workspace_warns_about_a_usp_that_is_not_unique_and_plans_content, |fay, piet| {
    go_to_workspace(&fay, "Kernboodschap", "core_message").await?;
    fay.click(".core-message-card textarea[name=usp]").await?;
    fay.type_text("Elke ochtend vers desembrood, bezorgd voor 8 uur").await?;
    fay.click(".competitor input[name=name]").await?;
    fay.type_text("Bakker Bart").await?;
    fay.click(".competitor input[name=has_it]").await?;
    piet.wait_for(
        "document.querySelector('.uniqueness.warn')?.innerText.includes('Bakker Bart') ?? false",
        Duration::from_secs(5),
    )
    .await?;
    fay.eval("const row = document.querySelector('.plan-line'); row.querySelector('[name=channel]').value = 'Instagram'; row.querySelector('[name=form]').value = 'post'; row.querySelector('[name=count]').value = '2'; document.querySelector('[name=calendar_from]').value = '2027-01-01'; const to = document.querySelector('[name=calendar_to]'); to.value = '2027-01-31'; to.dispatchEvent(new Event('change', {bubbles: true}))").await?;
    piet.wait_for("document.querySelectorAll('.calendar-table tr').length >= 8", Duration::from_secs(5)).await?;
    fill_and_submit(&fay, "section.ideas form.ws-new", "Bakvideo op zaterdag").await?;
    piet.wait_for("document.querySelectorAll('section.ideas .idea').length === 1", Duration::from_secs(5)).await?;
});

workspace_test!(the_actions_workspace_walks_the_day_and_bundles_responsibilities, |fay, piet| {
    // A sticky on the first part, to be found again in the review walk.
    fay.click(".board").await?;
    fay.press_key("n").await?;
    fay.wait_for("document.activeElement?.classList.contains('sticky-editor')", Duration::from_secs(5)).await?;
    fay.type_text("Instagram-video van het desembrood maken").await?;
    fay.press_key("Enter").await?;
    go_to_workspace(&fay, "Actiepunten", "actions").await?;
    fay.wait_for("document.querySelector('[data-review-part]')?.innerText.startsWith('1/6')", Duration::from_secs(5))
        .await?;
    fay.click("[data-action=review-make-action]").await?;
    fay.wait_for("document.querySelectorAll('section.actions .ws-card').length === 1", Duration::from_secs(5)).await?;
    fill_and_submit(&fay, "section.actions form.ws-new", "Facturen van de zakelijke klanten versturen").await?;
    // Both actions are in before the suggestion is accepted: one for content, one for administration.
    fay.wait_for("document.querySelectorAll('.suggestions li').length === 2", Duration::from_secs(5)).await?;
    assert!(fay.text(".suggestions").await?.contains("Content"), "the suggestion explains itself");
    fay.click("[data-action=accept-bundles]").await?;
    piet.wait_for("document.querySelectorAll('.bundle').length === 2", Duration::from_secs(5)).await?;
    assert_eq!(piet.count("[data-action=accept-bundles]").await?, 0, "only the facilitator accepts bundles");
    let piet_id = piet
        .eval("fetch(location.pathname.replace('/s/', '/api/sessions/')).then(r => r.json()).then(s => s.you.id)")
        .await?;
    fay.eval(&format!("const s = document.querySelector('[data-action=bundle-owner]'); s.value = '{piet_id}'; s.dispatchEvent(new Event('change', {{bubbles: true}}))")).await?;
    piet.wait_for("document.querySelector('.bundle')?.innerText.includes('Piet')", Duration::from_secs(5)).await?;
    piet.wait_for("[...document.querySelectorAll('.workload li')].some(li => li.innerText.includes('Begeleider') && li.dataset.flag === 'no_responsibility')", Duration::from_secs(5)).await?;
    save_screenshot(&fay, "actions-nl.png").await?;
});

#[tokio::test]
async fn a_newcomer_tries_the_demo_and_finds_every_part_filled() {
    let app = spawn_app().await;
    let browser = Browser::launch().await.expect("Chromium starts");
    browser::on_failure(&browser, "demo", async {
        let context = browser.new_context().await?;
        context.set_language("nl");
        let page = context.new_named_page("newcomer").await?;
        page.goto(&app.url("/")).await?;
        page.click_and_wait_for_load("[data-action=demo]").await?;
        page.wait_for_text("Je demosessie staat klaar").await?;
        page.click_and_wait_for_load("a.button[href*='follow-up']").await?;
        page.wait_for("document.querySelectorAll('.goal-track svg').length === 2", Duration::from_secs(5)).await?;
        save_screenshot(&page, "follow-up-nl.png").await?;
        page.goto(&page.url().await?.replace("/follow-up", "")).await?;
        page.wait_for("document.querySelector('.status')?.dataset.status === 'saved'", Duration::from_secs(10)).await?;
        go_to_workspace(&page, "SMART-doelen", "smart_goals").await?;
        page.wait_for("document.querySelectorAll('.smart-goal').length === 2", Duration::from_secs(5)).await?;
        page.click("[data-action=downloads]").await?;
        assert!(page.count(".downloads a[href$='report.pdf']").await? == 1, "the facilitator finds the downloads");
        anyhow::Ok(())
    })
    .await
    .expect("the demo works");
    app.stop().await;
}
