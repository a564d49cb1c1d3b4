//! `report.html` in a real browser: headless Chromium opens a report written by the real binary,
//! takes a 1280x800 screenshot and dumps the DOM it parsed. Where Chromium is not installed it
//! reports itself ignored, and fails under `CI=true` (`.ci/run` installs it). The screenshot stays in
//! `target/tmp/browser/` for a person to look at.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long Chromium may take for one page before the test fails.
const TIMEOUT: Duration = Duration::from_secs(90);

fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("KINESIM_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

/// Run Chromium headless on `page` with `extra` flags; returns its standard output.
fn headless(chrome: &Path, profile: &Path, page: &Path, extra: &[String]) -> Vec<u8> {
    let _ = std::fs::remove_dir_all(profile);
    std::fs::create_dir_all(profile).unwrap();
    let mut child = Command::new(chrome)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--window-size=1280,800",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromium starts");
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut buf = vec![];
        std::io::Read::read_to_end(&mut stdout, &mut buf).ok();
        buf
    });
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "chromium failed: {status}");
            break;
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium took longer than {TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    reader.join().unwrap()
}

#[test]
fn report_html_renders_in_headless_chromium() {
    let Some(chrome) = crate::common::prerequisite(
        "Chromium",
        chromium(),
        "apt-get install chromium, or set KINESIM_CHROMIUM to its path; .ci/run installs it",
    ) else {
        return;
    };
    let started = Instant::now();
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_kinesim"))
        .args(["run", "hot-key", "--quiet", "--out"])
        .arg(dir.join("hot-key"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let page = dir.join("hot-key").join("report.html");
    assert!(page.exists());

    let png = dir.join("hot-key.png");
    headless(&chrome, &dir.join("profile"), &page, &[format!("--screenshot={}", png.display())]);
    let bytes = std::fs::read(&png).expect("a screenshot was written");
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "PNG signature");
    assert_eq!(&bytes[12..16], b"IHDR");
    let width = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
    assert_eq!((width, height), (1280, 800), "the window size");
    // A blank 1280x800 page compresses to a few KB; text, tables and colour take far more.
    assert!(bytes.len() > 30_000, "the screenshot has content: {} bytes", bytes.len());

    let dom = String::from_utf8(headless(&chrome, &dir.join("profile"), &page, &["--dump-dom".to_string()]))
        .unwrap();
    assert!(dom.contains("<h1>kinesim report: hot-key</h1>"), "title parsed");
    for id in ["summary", "textbook", "charts", "per-minute", "shards", "assumptions"] {
        assert!(dom.contains(&format!("<h2 id=\"{id}\"")), "section {id} in the DOM");
    }
    assert_eq!(dom.matches("<svg").count(), 6, "six inline SVG charts in the DOM (cost included)");
    assert!(dom.contains("WriteProvisionedThroughputExceeded"));
    println!(
        "browser test: screenshot {} ({} bytes) in {:.1?}",
        png.display(),
        bytes.len(),
        started.elapsed()
    );
}
