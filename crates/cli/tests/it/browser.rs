//! A small headless-Chromium driver for the browser tests: the Chrome DevTools Protocol
//! spoken directly over one WebSocket (tokio-tungstenite + serde_json), nothing else.
//!
//! ```ignore
//! let app = spawn_app().await;
//! let browser = Browser::launch().await?;                 // a fresh Chromium + profile
//! browser::on_failure(&browser, "my_test", async {
//!     let alice = browser.new_context().await?;           // own cookies: one person
//!     let page = alice.new_named_page("alice").await?;    // 1280×800, Page + Runtime enabled
//!     page.goto(&app.url("/")).await?;                    // waits for the load event
//!     page.click("a.lang").await?;                        // real mouse events at the centre
//!     page.wait_for_text("New strategy day").await?;      // polls every 50 ms, 10 s at most
//!     anyhow::Ok(())
//! })
//! .await
//! .unwrap();
//! drop(browser);                                          // before `app.stop()`: closes its connections
//! ```
//!
//! - **Chromium**: `/usr/bin/chromium` (Debian's `chromium`; `scripts/test.sh` installs it), or
//!   the path in `HEISESSIE_CHROMIUM`. Each [`Browser`] has its own temporary profile; dropping
//!   it kills Chromium with all its child processes and removes the profile.
//! - **People**: a [`Context`] is a separate cookie jar and cache (`Target.createBrowserContext`);
//!   two contexts are two people. [`Context::set_language`] sets their browser language.
//! - **Waiting**: every wait is bounded ([`DEFAULT_TIMEOUT`], 10 s) and its error says what it
//!   waited for. [`Page::click`] and friends wait until the element exists, has a size and is
//!   not covered. There are no fixed sleeps, only polling every 50 ms.
//! - **Failure screenshots**: wrap the body of a test in [`on_failure`]. When it panics or
//!   returns an `Err`, every page still open in the browser is saved as
//!   `target/browser-failures/<test-name>-<page-name>.png` (the `target` folder of the test
//!   binary, or `CARGO_TARGET_DIR`), and the paths, URLs and the pages' console messages and
//!   uncaught exceptions are printed before the failure is passed on.
//! - **Drags** are real pointer events (pointerdown/move/up from `Input.dispatchMouseEvent`),
//!   which is what pointer-driven UIs listen to; HTML5 `draggable` drag-and-drop is not driven.

// A toolbox for every browser test: not each test uses each tool.
#![allow(dead_code)]

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, anyhow, bail};
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{FutureExt, SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio::sync::{broadcast, oneshot};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// How long any single wait lasts at most, unless a method takes its own timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// The interval of every polling wait.
const POLL: Duration = Duration::from_millis(50);
const WIDTH: u32 = 1280;
const HEIGHT: u32 = 800;
/// Console lines kept per page for failure reports.
const LOG_LINES: usize = 200;

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;
type Reply = std::result::Result<Value, String>;

/// A running headless Chromium with its own temporary profile.
pub struct Browser {
    conn: Arc<Conn>,
    child: Child,
    reader: tokio::task::JoinHandle<()>,
    dir: Option<tempfile::TempDir>,
    version: String,
}

/// A separate browser profile inside one Chromium: its own cookies, storage and cache.
pub struct Context {
    conn: Arc<Conn>,
    id: String,
    language: Mutex<Option<String>>,
}

/// One tab, attached through its own CDP session.
pub struct Page {
    conn: Arc<Conn>,
    entry: Arc<SessionEntry>,
    target_id: String,
    network_enabled: AtomicBool,
}

/// The connection shared by the browser, its contexts and pages.
struct Conn {
    sink: tokio::sync::Mutex<SplitSink<Ws, Message>>,
    next_id: AtomicU64,
    pending: Mutex<HashMap<u64, oneshot::Sender<Reply>>>,
    /// Attached pages in the order they were opened.
    sessions: Mutex<Vec<Arc<SessionEntry>>>,
    closed: Mutex<Option<String>>,
    pages_opened: AtomicU64,
    user_agent: Mutex<String>,
}

struct SessionEntry {
    id: String,
    name: String,
    events: broadcast::Sender<Value>,
    log: Mutex<VecDeque<String>>,
}

impl Browser {
    /// Starts Chromium (`HEISESSIE_CHROMIUM` or `/usr/bin/chromium`) headless and connects to it.
    pub async fn launch() -> Result<Browser> {
        let binary =
            std::env::var_os("HEISESSIE_CHROMIUM").map(PathBuf::from).unwrap_or_else(|| "/usr/bin/chromium".into());
        if !binary.exists() {
            bail!(
                "Chromium is not installed at {}: run scripts/test.sh as root (it installs Debian's `chromium`), \
                 or `apt-get install -y --no-install-recommends chromium`, or set HEISESSIE_CHROMIUM",
                binary.display()
            );
        }
        let dir =
            tempfile::Builder::new().prefix("heisessie-chromium-").tempdir().context("a temporary profile folder")?;
        let profile = dir.path().join("profile");
        let log_path = dir.path().join("chromium.log");
        let log = std::fs::File::create(&log_path).context("the Chromium log file")?;
        let mut child = Command::new(&binary)
            .args([
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--remote-debugging-port=0",
                &format!("--user-data-dir={}", profile.display()),
                &format!("--window-size={WIDTH},{HEIGHT}"),
                "about:blank",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;

        let url = match wait_for_devtools_url(&mut child, &profile, &log_path).await {
            Ok(url) => url,
            Err(error) => {
                kill_tree(&mut child);
                return Err(error);
            }
        };
        let ws = match tokio::time::timeout(DEFAULT_TIMEOUT, tokio_tungstenite::connect_async(url.as_str())).await {
            Ok(Ok((ws, _))) => ws,
            Ok(Err(error)) => {
                kill_tree(&mut child);
                bail!("connecting to Chromium's DevTools at {url}: {error}");
            }
            Err(_) => {
                kill_tree(&mut child);
                bail!("connecting to Chromium's DevTools at {url} took longer than {DEFAULT_TIMEOUT:?}");
            }
        };
        let (sink, stream) = ws.split();
        let conn = Arc::new(Conn {
            sink: tokio::sync::Mutex::new(sink),
            next_id: AtomicU64::new(1),
            pending: Mutex::new(HashMap::new()),
            sessions: Mutex::new(Vec::new()),
            closed: Mutex::new(None),
            pages_opened: AtomicU64::new(0),
            user_agent: Mutex::new(String::new()),
        });
        let reader = tokio::spawn(read_loop(conn.clone(), stream));
        let mut browser = Browser { conn, child, reader, dir: Some(dir), version: String::new() };
        let version = browser.conn.call(None, "Browser.getVersion", json!({})).await?;
        browser.version = version["product"].as_str().unwrap_or_default().to_owned();
        *lock(&browser.conn.user_agent) = version["userAgent"].as_str().unwrap_or_default().to_owned();
        Ok(browser)
    }

    /// The product, e.g. `HeadlessChrome/156.0.8078.108`.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// A new, empty browser context: a second person with their own cookies.
    pub async fn new_context(&self) -> Result<Context> {
        let created = self.conn.call(None, "Target.createBrowserContext", json!({"disposeOnDetach": true})).await?;
        let id = created["browserContextId"].as_str().ok_or_else(|| anyhow!("no browserContextId in {created}"))?;
        Ok(Context { conn: self.conn.clone(), id: id.to_owned(), language: Mutex::new(None) })
    }

    /// Saves a PNG of every open page as `<dir>/<prefix>-<page-name>.png`; returns the paths.
    pub async fn screenshot_all(&self, dir: &Path, prefix: &str) -> Vec<Result<PathBuf>> {
        let entries = lock(&self.conn.sessions).clone();
        let mut saved = Vec::new();
        for entry in entries {
            let path = dir.join(format!("{}-{}.png", file_safe(prefix), file_safe(&entry.name)));
            let shot = async {
                let png = capture_png(&self.conn, &entry.id, Duration::from_secs(5)).await?;
                std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
                std::fs::write(&path, png).with_context(|| format!("writing {}", path.display()))?;
                Ok(path)
            };
            saved.push(shot.await);
        }
        saved
    }

    /// Writes the failure report of `test`: screenshots, URLs and console lines of each open page.
    pub async fn report_failure(&self, test: &str) {
        let dir = failure_dir();
        eprintln!("browser test {test} failed; the open pages:");
        let entries = lock(&self.conn.sessions).clone();
        let shots = self.screenshot_all(&dir, test).await;
        for (entry, shot) in entries.iter().zip(shots) {
            let url = self
                .conn
                .call_within(
                    Some(&entry.id),
                    "Runtime.evaluate",
                    json!({"expression": "location.href", "returnByValue": true}),
                    Duration::from_secs(2),
                )
                .await
                .map(|v| v["result"]["value"].as_str().unwrap_or_default().to_owned())
                .unwrap_or_else(|e| format!("(unknown: {e:#})"));
            match shot {
                Ok(path) => eprintln!("  page {:?} at {url}\n    screenshot: {}", entry.name, path.display()),
                Err(error) => eprintln!("  page {:?} at {url}\n    no screenshot: {error:#}", entry.name),
            }
            for line in lock(&entry.log).iter() {
                eprintln!("    {line}");
            }
        }
        if entries.is_empty() {
            eprintln!("  (none)");
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        self.reader.abort();
        kill_tree(&mut self.child);
        if let Some(dir) = self.dir.take() {
            let path = dir.path().to_path_buf();
            if dir.close().is_err() {
                let _ = std::fs::remove_dir_all(path);
            }
        }
    }
}

impl Context {
    /// The browser language of pages opened from now on (`navigator.language`, the
    /// `Accept-Language` header and the `Intl` locale), e.g. `"nl"` or `"en-GB"`.
    pub fn set_language(&self, language: &str) {
        *lock(&self.language) = Some(language.to_owned());
    }

    /// A new tab in this context, 1280×800, named `page-<n>` for failure screenshots.
    pub async fn new_page(&self) -> Result<Page> {
        let n = self.conn.pages_opened.load(Ordering::Relaxed) + 1;
        self.new_named_page(&format!("page-{n}")).await
    }

    /// A new tab in this context; `name` names its failure screenshot.
    pub async fn new_named_page(&self, name: &str) -> Result<Page> {
        let conn = &self.conn;
        conn.pages_opened.fetch_add(1, Ordering::Relaxed);
        let created =
            conn.call(None, "Target.createTarget", json!({"url": "about:blank", "browserContextId": self.id})).await?;
        let target_id = created["targetId"].as_str().ok_or_else(|| anyhow!("no targetId in {created}"))?.to_owned();
        let attached =
            conn.call(None, "Target.attachToTarget", json!({"targetId": target_id, "flatten": true})).await?;
        let session = attached["sessionId"].as_str().ok_or_else(|| anyhow!("no sessionId in {attached}"))?.to_owned();
        let entry = Arc::new(SessionEntry {
            id: session,
            name: name.to_owned(),
            events: broadcast::channel(1024).0,
            log: Mutex::new(VecDeque::new()),
        });
        lock(&conn.sessions).push(entry.clone());
        let page = Page { conn: conn.clone(), entry, target_id, network_enabled: AtomicBool::new(false) };
        tokio::try_join!(
            page.call("Page.enable", json!({})),
            page.call("Page.setLifecycleEventsEnabled", json!({"enabled": true})),
            page.call("Runtime.enable", json!({})),
            page.call(
                "Emulation.setDeviceMetricsOverride",
                json!({"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": false})
            ),
        )?;
        let language = lock(&self.language).clone();
        if let Some(language) = language {
            page.set_language(&language).await?;
        }
        Ok(page)
    }

    /// Closes the context and all its pages.
    pub async fn close(self) -> Result<()> {
        self.conn.call(None, "Target.disposeBrowserContext", json!({"browserContextId": self.id})).await?;
        Ok(())
    }
}

impl Page {
    /// The name used for its failure screenshot.
    pub fn name(&self) -> &str {
        &self.entry.name
    }

    /// A raw CDP command in this page's session, answered within [`DEFAULT_TIMEOUT`].
    pub async fn call(&self, method: &str, params: Value) -> Result<Value> {
        self.conn.call(Some(&self.entry.id), method, params).await
    }

    /// Navigates to `url` and waits for its load event.
    pub async fn goto(&self, url: &str) -> Result<()> {
        let mut events = self.entry.events.subscribe();
        let navigated = self.call("Page.navigate", json!({"url": url})).await?;
        if let Some(error) = navigated["errorText"].as_str() {
            bail!("goto {url}: {error}");
        }
        match navigated["loaderId"].as_str() {
            // A same-document navigation (a #fragment) has no load event.
            None => Ok(()),
            Some(loader) => self.wait_for_load(&mut events, Some(loader)).await.with_context(|| format!("goto {url}")),
        }
    }

    /// Reloads and waits for the load event.
    pub async fn reload(&self) -> Result<()> {
        let mut events = self.entry.events.subscribe();
        self.call("Page.reload", json!({})).await?;
        self.wait_for_load(&mut events, None).await.context("reload")
    }

    /// Clicks `css` and waits for the page it leads to (a link, a form submit) to load.
    pub async fn click_and_wait_for_load(&self, css: &str) -> Result<()> {
        let mut events = self.entry.events.subscribe();
        self.click(css).await?;
        self.wait_for_load(&mut events, None).await.with_context(|| format!("after clicking {css}"))
    }

    /// Waits for the main frame's `load` (of navigation `loader`, or of the next new document).
    async fn wait_for_load(&self, events: &mut broadcast::Receiver<Value>, loader: Option<&str>) -> Result<()> {
        let deadline = Instant::now() + DEFAULT_TIMEOUT;
        let mut loader = loader.map(str::to_owned);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match tokio::time::timeout(left, events.recv()).await {
                Err(_) => bail!("the page did not load within {DEFAULT_TIMEOUT:?} (no load event)"),
                Ok(Err(broadcast::error::RecvError::Lagged(_))) => {
                    // Too many events to follow: fall back on the document's own state.
                    return self
                        .wait_for(
                            "document.readyState === 'complete'",
                            deadline.saturating_duration_since(Instant::now()),
                        )
                        .await;
                }
                Ok(Err(broadcast::error::RecvError::Closed)) => bail!("the page closed while loading"),
                Ok(Ok(event)) => {
                    if event["method"] != "Page.lifecycleEvent" || event["params"]["frameId"] != self.target_id.as_str()
                    {
                        continue;
                    }
                    let params = &event["params"];
                    let this_loader = params["loaderId"].as_str().unwrap_or_default();
                    match (params["name"].as_str(), &loader) {
                        (Some("init"), None) => loader = Some(this_loader.to_owned()),
                        (Some("load"), Some(expected)) if expected == this_loader => return Ok(()),
                        (Some("load"), None) => return Ok(()),
                        _ => {}
                    }
                }
            }
        }
    }

    /// Evaluates `js` (awaiting a promise) and returns its value as JSON; `undefined` is `Null`.
    /// A thrown exception is an `Err` with its text.
    pub async fn eval(&self, js: &str) -> Result<Value> {
        self.eval_within(js, DEFAULT_TIMEOUT).await
    }

    async fn eval_within(&self, js: &str, timeout: Duration) -> Result<Value> {
        let answer = self
            .conn
            .call_within(
                Some(&self.entry.id),
                "Runtime.evaluate",
                json!({"expression": js, "returnByValue": true, "awaitPromise": true, "userGesture": true}),
                timeout,
            )
            .await?;
        if let Some(details) = answer.get("exceptionDetails") {
            bail!("{} (in `{}`)", exception_text(details), short(js));
        }
        Ok(answer["result"].get("value").cloned().unwrap_or(Value::Null))
    }

    /// Polls the JavaScript `condition` every 50 ms until it is truthy; fails after `timeout`
    /// naming the condition (and the last error, such as a page that was still navigating).
    pub async fn wait_for(&self, condition: &str, timeout: Duration) -> Result<()> {
        let deadline = Instant::now() + timeout;
        let expression = format!("!!({condition})");
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let last_error = match self.eval_within(&expression, left.max(POLL)).await {
                Ok(Value::Bool(true)) => return Ok(()),
                Ok(_) => None,
                Err(error) => Some(error),
            };
            if Instant::now() >= deadline {
                return Err(match last_error {
                    Some(error) => anyhow!("waited {timeout:?} for `{condition}`; last error: {error:#}"),
                    None => anyhow!("waited {timeout:?} for `{condition}`; it stayed false"),
                });
            }
            tokio::time::sleep(POLL.min(deadline.saturating_duration_since(Instant::now()))).await;
        }
    }

    /// Waits (up to [`DEFAULT_TIMEOUT`]) until the page's visible text contains `text`.
    pub async fn wait_for_text(&self, text: &str) -> Result<()> {
        let quoted = js_string(text);
        self.wait_for(&format!("document.body && document.body.innerText.includes({quoted})"), DEFAULT_TIMEOUT).await
    }

    /// The `innerText` of the first element matching `css`; an `Err` when there is none.
    pub async fn text(&self, css: &str) -> Result<String> {
        let value = self
            .eval(&format!(
                "(() => {{ const el = document.querySelector({}); return el ? el.innerText : null; }})()",
                js_string(css)
            ))
            .await?;
        match value {
            Value::String(text) => Ok(text),
            _ => bail!("no element matches {css}"),
        }
    }

    /// How many elements match `css`.
    pub async fn count(&self, css: &str) -> Result<usize> {
        let value = self.eval(&format!("document.querySelectorAll({}).length", js_string(css))).await?;
        value.as_u64().map(|n| n as usize).ok_or_else(|| anyhow!("counting {css} gave {value}"))
    }

    /// The page's current URL.
    pub async fn url(&self) -> Result<String> {
        Ok(self.eval("location.href").await?.as_str().unwrap_or_default().to_owned())
    }

    /// Waits until `css` exists, has a size and is not covered, scrolls it into view and
    /// returns the centre of its box in viewport coordinates.
    async fn centre_of(&self, css: &str) -> Result<(f64, f64)> {
        let js = format!(
            r##"(() => {{
                const el = document.querySelector({css});
                if (!el) return {{ wait: "no element matches it" }};
                el.scrollIntoView({{ block: "center", inline: "center", behavior: "instant" }});
                const r = el.getBoundingClientRect();
                if (r.width === 0 || r.height === 0 || getComputedStyle(el).visibility === "hidden")
                    return {{ wait: "it is not visible" }};
                const x = r.left + r.width / 2, y = r.top + r.height / 2;
                const root = el.getRootNode().elementFromPoint ? el.getRootNode() : document;
                const hit = root.elementFromPoint(x, y);
                if (hit && hit !== el && !el.contains(hit)) {{
                    const what = hit.tagName.toLowerCase() + (hit.id ? "#" + hit.id : "") +
                        (typeof hit.className === "string" && hit.className ? "." + hit.className.trim().split(/\s+/).join(".") : "");
                    return {{ wait: "it is covered by " + what }};
                }}
                return {{ x, y }};
            }})()"##,
            css = js_string(css)
        );
        let deadline = Instant::now() + DEFAULT_TIMEOUT;
        loop {
            let reason = match self.eval(&js).await {
                Ok(value) => match (value["x"].as_f64(), value["y"].as_f64()) {
                    (Some(x), Some(y)) => return Ok((x, y)),
                    _ => value["wait"].as_str().unwrap_or("no answer").to_owned(),
                },
                Err(error) => format!("{error:#}"),
            };
            if Instant::now() >= deadline {
                bail!("{css}: {reason} (waited {DEFAULT_TIMEOUT:?})");
            }
            tokio::time::sleep(POLL).await;
        }
    }

    async fn mouse(&self, kind: &str, x: f64, y: f64, buttons: u8, click_count: u8) -> Result<()> {
        let button = if kind == "mouseMoved" && buttons == 0 { "none" } else { "left" };
        self.call(
            "Input.dispatchMouseEvent",
            json!({"type": kind, "x": x, "y": y, "button": button, "buttons": buttons, "clickCount": click_count}),
        )
        .await?;
        Ok(())
    }

    /// Clicks the centre of the first element matching `css` with real mouse events.
    pub async fn click(&self, css: &str) -> Result<()> {
        let (x, y) = self.centre_of(css).await.context("click")?;
        self.mouse("mouseMoved", x, y, 0, 0).await?;
        self.mouse("mousePressed", x, y, 1, 1).await?;
        self.mouse("mouseReleased", x, y, 0, 1).await
    }

    /// Emulates a device of `width`×`height` CSS pixels; `mobile` makes it a phone or tablet
    /// (meta viewport honoured, touch events on, `(pointer: coarse)`).
    pub async fn emulate_device(&self, width: u32, height: u32, mobile: bool) -> Result<()> {
        self.call(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile}),
        )
        .await?;
        self.call("Emulation.setTouchEmulationEnabled", json!({"enabled": mobile, "maxTouchPoints": 5})).await?;
        Ok(())
    }

    /// Taps the centre of the first element matching `css` with a real touch (touchstart,
    /// touchend; the browser makes the click). Needs [`Page::emulate_device`] with `mobile`.
    pub async fn tap(&self, css: &str) -> Result<()> {
        let (x, y) = self.centre_of(css).await.context("tap")?;
        self.call("Input.dispatchTouchEvent", json!({"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})).await?;
        self.call("Input.dispatchTouchEvent", json!({"type": "touchEnd", "touchPoints": []})).await?;
        Ok(())
    }

    /// Double-clicks the centre of the first element matching `css` (two clicks, then `dblclick`).
    pub async fn double_click(&self, css: &str) -> Result<()> {
        let (x, y) = self.centre_of(css).await.context("double_click")?;
        self.mouse("mouseMoved", x, y, 0, 0).await?;
        self.mouse("mousePressed", x, y, 1, 1).await?;
        self.mouse("mouseReleased", x, y, 0, 1).await?;
        self.mouse("mousePressed", x, y, 1, 2).await?;
        self.mouse("mouseReleased", x, y, 0, 2).await
    }

    /// Presses the mouse at the centre of `css`, moves it by (`dx`, `dy`) in ten steps and
    /// releases it: real pointerdown / pointermove / pointerup events.
    pub async fn drag(&self, css: &str, dx: f64, dy: f64) -> Result<()> {
        const STEPS: u32 = 10;
        let (x, y) = self.centre_of(css).await.context("drag")?;
        self.mouse("mouseMoved", x, y, 0, 0).await?;
        self.mouse("mousePressed", x, y, 1, 1).await?;
        for step in 1..=STEPS {
            let part = f64::from(step) / f64::from(STEPS);
            self.mouse("mouseMoved", x + dx * part, y + dy * part, 1, 0).await?;
        }
        self.mouse("mouseReleased", x + dx, y + dy, 0, 1).await
    }

    /// Types `text` into the focused element, as an IME or a paste would (`Input.insertText`).
    pub async fn type_text(&self, text: &str) -> Result<()> {
        self.call("Input.insertText", json!({"text": text})).await?;
        Ok(())
    }

    /// Presses and releases one key: `Enter`, `Escape`, `Delete`, `Backspace`, `Tab`, `Space`,
    /// `ArrowLeft`/`Right`/`Up`/`Down`, `Home`, `End`, `PageUp`, `PageDown`, a letter (`n`, `N`)
    /// or a digit, optionally with modifiers: `Control+z`, `Shift+Tab`, `Alt+ArrowUp`, `Meta+a`.
    pub async fn press_key(&self, key: &str) -> Result<()> {
        let (modifiers, key) = parse_modifiers(key)?;
        let spec = key_spec(key).ok_or_else(|| anyhow!("press_key does not know the key {key:?}"))?;
        // With Control, Alt or Meta held a key types nothing; Shift alone still does.
        let text = if modifiers & !8 == 0 { spec.text } else { String::new() };
        let mut down = json!({
            "type": if text.is_empty() { "rawKeyDown" } else { "keyDown" },
            "key": spec.key,
            "code": spec.code,
            "windowsVirtualKeyCode": spec.key_code,
            "nativeVirtualKeyCode": spec.key_code,
            "modifiers": modifiers,
        });
        if !text.is_empty() {
            down["text"] = json!(text);
            down["unmodifiedText"] = json!(text);
        }
        self.call("Input.dispatchKeyEvent", down).await?;
        self.call(
            "Input.dispatchKeyEvent",
            json!({
                "type": "keyUp",
                "key": spec.key,
                "code": spec.code,
                "windowsVirtualKeyCode": spec.key_code,
                "nativeVirtualKeyCode": spec.key_code,
                "modifiers": modifiers,
            }),
        )
        .await?;
        Ok(())
    }

    /// Sends these headers with every request of this page, e.g. `[("Accept-Language", "nl")]`.
    pub async fn set_extra_headers(&self, headers: &[(&str, &str)]) -> Result<()> {
        if !self.network_enabled.swap(true, Ordering::Relaxed) {
            self.call("Network.enable", json!({})).await?;
        }
        let map: serde_json::Map<String, Value> =
            headers.iter().map(|(name, value)| ((*name).to_owned(), Value::from(*value))).collect();
        self.call("Network.setExtraHTTPHeaders", json!({"headers": map})).await?;
        Ok(())
    }

    /// Sets this page's browser language: `navigator.language`, `Accept-Language` and `Intl`.
    pub async fn set_language(&self, language: &str) -> Result<()> {
        let user_agent = lock(&self.conn.user_agent).clone();
        self.call("Emulation.setUserAgentOverride", json!({"userAgent": user_agent, "acceptLanguage": language}))
            .await?;
        // A second override fails unless the first is cleared.
        self.call("Emulation.setLocaleOverride", json!({})).await?;
        self.call("Emulation.setLocaleOverride", json!({"locale": language})).await?;
        Ok(())
    }

    /// Saves a PNG of the viewport to `path` (its folder is created).
    pub async fn screenshot(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let png = capture_png(&self.conn, &self.entry.id, DEFAULT_TIMEOUT).await?;
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
        }
        std::fs::write(path, png).with_context(|| format!("writing {}", path.display()))
    }

    /// The console messages and uncaught exceptions of this page so far (the last 200).
    pub fn console(&self) -> Vec<String> {
        lock(&self.entry.log).iter().cloned().collect()
    }

    /// Closes the tab.
    pub async fn close(self) -> Result<()> {
        self.conn.call(None, "Target.closeTarget", json!({"targetId": self.target_id})).await?;
        lock(&self.conn.sessions).retain(|entry| entry.id != self.entry.id);
        Ok(())
    }
}

/// What a test body returns: `()` (failure = panic) or a `Result` (failure = panic or `Err`).
pub trait Outcome {
    fn failed(&self) -> bool;
}

impl Outcome for () {
    fn failed(&self) -> bool {
        false
    }
}

impl<T, E> Outcome for std::result::Result<T, E> {
    fn failed(&self) -> bool {
        self.is_err()
    }
}

/// Runs a browser test body; when it panics or returns an `Err`, saves a screenshot of each
/// open page to `target/browser-failures/<test>-<page>.png`, prints the paths, URLs and console
/// lines, and then passes the failure on unchanged.
pub async fn on_failure<F, T>(browser: &Browser, test: &str, fut: F) -> T
where
    F: Future<Output = T>,
    T: Outcome,
{
    let result = AssertUnwindSafe(fut).catch_unwind().await;
    let failed = match &result {
        Ok(outcome) => outcome.failed(),
        Err(_) => true,
    };
    if failed {
        browser.report_failure(test).await;
    }
    match result {
        Ok(outcome) => outcome,
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

/// `target/browser-failures` next to the test binary (`target/<profile>/deps/it-…`).
pub fn failure_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).or_else(|| {
        let exe = std::env::current_exe().ok()?;
        let deps = exe.parent()?;
        (deps.file_name()? == "deps").then(|| deps.parent()?.parent().map(Path::to_path_buf)).flatten()
    });
    target.unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target")).join("browser-failures")
}

impl Conn {
    async fn call(&self, session: Option<&str>, method: &str, params: Value) -> Result<Value> {
        self.call_within(session, method, params, DEFAULT_TIMEOUT).await
    }

    async fn call_within(
        &self,
        session: Option<&str>,
        method: &str,
        params: Value,
        timeout: Duration,
    ) -> Result<Value> {
        if let Some(reason) = lock(&self.closed).clone() {
            bail!("{method}: the connection to Chromium is closed ({reason})");
        }
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (reply, answer) = oneshot::channel();
        lock(&self.pending).insert(id, reply);
        let mut message = json!({"id": id, "method": method, "params": params});
        if let Some(session) = session {
            message["sessionId"] = json!(session);
        }
        let sent = self.sink.lock().await.send(Message::Text(message.to_string().into())).await;
        if let Err(error) = sent {
            lock(&self.pending).remove(&id);
            bail!("{method}: could not send to Chromium: {error}");
        }
        match tokio::time::timeout(timeout, answer).await {
            Ok(Ok(Ok(value))) => Ok(value),
            Ok(Ok(Err(error))) => bail!("{method}: {error}"),
            Ok(Err(_)) => {
                let reason = lock(&self.closed).clone().unwrap_or_else(|| "it went away".into());
                bail!("{method}: the connection to Chromium closed ({reason})")
            }
            Err(_) => {
                lock(&self.pending).remove(&id);
                bail!("{method}: Chromium did not answer within {timeout:?}")
            }
        }
    }
}

/// The one reader: answers go to their caller by id, events to their page by sessionId.
async fn read_loop(conn: Arc<Conn>, mut stream: SplitStream<Ws>) {
    let reason = loop {
        let text = match stream.next().await {
            Some(Ok(Message::Text(text))) => text,
            Some(Ok(Message::Close(frame))) => break format!("closed by Chromium {frame:?}"),
            Some(Ok(_)) => continue,
            Some(Err(error)) => break format!("read error: {error}"),
            None => break "the WebSocket ended".to_owned(),
        };
        let Ok(message) = serde_json::from_str::<Value>(&text) else { continue };
        if let Some(id) = message["id"].as_u64() {
            let waiter = lock(&conn.pending).remove(&id);
            if let Some(waiter) = waiter {
                let reply = match message.get("error") {
                    Some(error) => Err(match error["data"].as_str() {
                        Some(data) => format!("{} ({data})", error["message"].as_str().unwrap_or("error")),
                        None => error["message"].as_str().map_or_else(|| error.to_string(), str::to_owned),
                    }),
                    None => Ok(message.get("result").cloned().unwrap_or(Value::Null)),
                };
                let _ = waiter.send(reply);
            }
            continue;
        }
        if message["method"] == "Target.detachedFromTarget" {
            let gone = message["params"]["sessionId"].as_str().unwrap_or_default();
            lock(&conn.sessions).retain(|entry| entry.id != gone);
            continue;
        }
        let Some(session) = message["sessionId"].as_str() else { continue };
        let entry = lock(&conn.sessions).iter().find(|entry| entry.id == session).cloned();
        if let Some(entry) = entry {
            if let Some(line) = console_line(&message) {
                let mut log = lock(&entry.log);
                if log.len() == LOG_LINES {
                    log.pop_front();
                }
                log.push_back(line);
            }
            let _ = entry.events.send(message);
        }
    };
    *lock(&conn.closed) = Some(reason);
    lock(&conn.pending).clear();
}

fn console_line(message: &Value) -> Option<String> {
    let params = &message["params"];
    match message["method"].as_str()? {
        "Runtime.consoleAPICalled" => {
            let args: Vec<String> = params["args"]
                .as_array()
                .map(|args| {
                    args.iter()
                        .map(|arg| match arg.get("value") {
                            Some(Value::String(text)) => text.clone(),
                            Some(value) => value.to_string(),
                            None => arg["description"].as_str().or(arg["type"].as_str()).unwrap_or("?").to_owned(),
                        })
                        .collect()
                })
                .unwrap_or_default();
            Some(format!("console.{}: {}", params["type"].as_str().unwrap_or("log"), args.join(" ")))
        }
        "Runtime.exceptionThrown" => Some(format!("uncaught: {}", exception_text(&params["exceptionDetails"]))),
        _ => None,
    }
}

fn exception_text(details: &Value) -> String {
    details["exception"]["description"]
        .as_str()
        .or(details["exception"]["value"].as_str())
        .or(details["text"].as_str())
        .unwrap_or("an exception")
        .to_owned()
}

async fn capture_png(conn: &Conn, session: &str, timeout: Duration) -> Result<Vec<u8>> {
    let shot = conn.call_within(Some(session), "Page.captureScreenshot", json!({"format": "png"}), timeout).await?;
    let data = shot["data"].as_str().ok_or_else(|| anyhow!("no screenshot data"))?;
    base64_decode(data)
}

/// Reads the DevTools WebSocket URL from Chromium's stderr or its `DevToolsActivePort` file.
async fn wait_for_devtools_url(child: &mut Child, profile: &Path, log: &Path) -> Result<String> {
    let deadline = Instant::now() + DEFAULT_TIMEOUT;
    loop {
        let stderr = std::fs::read_to_string(log).unwrap_or_default();
        if let Some(url) = stderr.lines().find_map(|line| line.split("DevTools listening on ").nth(1)) {
            return Ok(url.trim().to_owned());
        }
        if let Ok(port_file) = std::fs::read_to_string(profile.join("DevToolsActivePort")) {
            let mut lines = port_file.lines();
            if let (Some(port), Some(path)) = (lines.next(), lines.next()) {
                return Ok(format!("ws://127.0.0.1:{}{}", port.trim(), path.trim()));
            }
        }
        let tail =
            || stderr.lines().rev().take(15).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join("\n");
        if let Some(status) = child.try_wait().context("watching Chromium")? {
            bail!("Chromium exited ({status}) before DevTools listened; its last output:\n{}", tail());
        }
        if Instant::now() >= deadline {
            bail!("Chromium did not open DevTools within {DEFAULT_TIMEOUT:?}; its last output:\n{}", tail());
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Kills Chromium and every process it started, and waits until they are gone.
fn kill_tree(child: &mut Child) {
    let mut pids = vec![child.id()];
    pids.extend(descendants(child.id()));
    let _ = Command::new("kill")
        .arg("-KILL")
        .args(pids.iter().map(u32::to_string))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    let _ = child.kill();
    let _ = child.wait();
    // The grandchildren are not ours to wait for: poll until they are gone (or zombies).
    let deadline = Instant::now() + Duration::from_secs(2);
    while Instant::now() < deadline && pids[1..].iter().any(|pid| process_state(*pid).is_some_and(|s| s != 'Z')) {
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The state letter and parent of a process, from `/proc/<pid>/stat`.
fn process_stat(pid: u32) -> Option<(char, u32)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let mut fields = stat.rsplit_once(')')?.1.split_whitespace();
    let state = fields.next()?.chars().next()?;
    let parent = fields.next()?.parse().ok()?;
    Some((state, parent))
}

fn process_state(pid: u32) -> Option<char> {
    process_stat(pid).map(|(state, _)| state)
}

fn descendants(root: u32) -> Vec<u32> {
    let mut children: HashMap<u32, Vec<u32>> = HashMap::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|name| name.parse::<u32>().ok()) else { continue };
        if let Some((_, parent)) = process_stat(pid) {
            children.entry(parent).or_default().push(pid);
        }
    }
    let mut found = Vec::new();
    let mut queue = vec![root];
    while let Some(pid) = queue.pop() {
        for &child in children.get(&pid).map(Vec::as_slice).unwrap_or_default() {
            found.push(child);
            queue.push(child);
        }
    }
    found
}

struct KeySpec {
    key: String,
    code: String,
    key_code: u32,
    text: String,
}

fn key_spec(key: &str) -> Option<KeySpec> {
    let named = |key: &str, code: &str, key_code: u32, text: &str| KeySpec {
        key: key.to_owned(),
        code: code.to_owned(),
        key_code,
        text: text.to_owned(),
    };
    Some(match key {
        "Enter" => named("Enter", "Enter", 13, "\r"),
        "Escape" => named("Escape", "Escape", 27, ""),
        "Delete" => named("Delete", "Delete", 46, ""),
        "Backspace" => named("Backspace", "Backspace", 8, ""),
        "Tab" => named("Tab", "Tab", 9, ""),
        "Space" | " " => named(" ", "Space", 32, " "),
        "ArrowLeft" => named("ArrowLeft", "ArrowLeft", 37, ""),
        "ArrowUp" => named("ArrowUp", "ArrowUp", 38, ""),
        "ArrowRight" => named("ArrowRight", "ArrowRight", 39, ""),
        "ArrowDown" => named("ArrowDown", "ArrowDown", 40, ""),
        "Home" => named("Home", "Home", 36, ""),
        "End" => named("End", "End", 35, ""),
        "PageUp" => named("PageUp", "PageUp", 33, ""),
        "PageDown" => named("PageDown", "PageDown", 34, ""),
        _ => {
            let mut chars = key.chars();
            let (c, None) = (chars.next()?, chars.next()) else { return None };
            if c.is_ascii_alphabetic() {
                let upper = c.to_ascii_uppercase();
                named(key, &format!("Key{upper}"), upper as u32, key)
            } else if c.is_ascii_digit() {
                named(key, &format!("Digit{c}"), c as u32, key)
            } else {
                return None;
            }
        }
    })
}

/// Splits `Control+Shift+z` into the CDP modifier bits (Alt 1, Control 2, Meta 4, Shift 8) and `z`.
fn parse_modifiers(combo: &str) -> Result<(u32, &str)> {
    let mut parts: Vec<&str> = combo.split('+').collect();
    let key = parts.pop().filter(|k| !k.is_empty()).ok_or_else(|| anyhow!("no key in {combo:?}"))?;
    let mut bits = 0;
    for part in parts {
        bits |= match part {
            "Alt" => 1,
            "Control" | "Ctrl" => 2,
            "Meta" => 4,
            "Shift" => 8,
            other => bail!("unknown modifier {other:?} in {combo:?}"),
        };
    }
    Ok((bits, key))
}

/// A JavaScript string literal for `text`.
fn js_string(text: &str) -> String {
    serde_json::to_string(text).expect("a string serializes")
}

fn short(js: &str) -> String {
    let flat: String = js.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() > 120 { format!("{}…", flat.chars().take(120).collect::<String>()) } else { flat }
}

fn file_safe(name: &str) -> String {
    let safe: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '-' }).collect();
    let mut out = String::new();
    for c in safe.chars() {
        if !(c == '-' && out.ends_with('-')) {
            out.push(c);
        }
    }
    out.trim_matches('-').to_owned()
}

fn base64_decode(text: &str) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let (mut acc, mut bits) = (0u32, 0u32);
    for byte in text.bytes() {
        let value = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => break,
            b'\n' | b'\r' => continue,
            other => bail!("not base64: byte {other}"),
        };
        acc = (acc << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Ok(out)
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[test]
fn base64_and_key_names_decode() {
    assert_eq!(base64_decode("aGVpc2Vzc2ll").unwrap(), b"heisessie");
    assert_eq!(base64_decode("aGk=").unwrap(), b"hi");
    assert_eq!(parse_modifiers("Control+Shift+z").unwrap(), (10, "z"));
    assert_eq!(key_spec("n").map(|k| (k.code, k.key_code)), Some(("KeyN".into(), 78)));
    assert!(key_spec("Nope").is_none());
    assert_eq!(file_safe("browser_smoke::a test"), "browser_smoke-a-test");
}
