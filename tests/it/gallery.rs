//! The gallery: `reports/` holds example reports written by the commands of
//! `reports/gallery.txt`. This test runs every command again, from a copy of the repository's
//! `scenarios/` (so every relative path in the outputs is the same), and checks each report
//! folder and each printed summary (`reports/<folder>.txt`) byte for byte: a change in behaviour
//! shows up as a diff in `reports/` that a reviewer reads. `KINESIM_BLESS=1` rewrites them.
//! README.md and docs/ show some of the printed summaries; `documents_show_the_gallery_as_it_is`
//! checks that every block marked `<!-- gallery: FILE -->` is that file's text.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::snapshot;

use crate::common::BIN;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// One line of `reports/gallery.txt`: kinesim's arguments, the folder they write and the exit
/// code the command must end with.
struct Entry {
    args: Vec<String>,
    folder: String,
    exit: i32,
}

fn manifest() -> Vec<Entry> {
    let text = std::fs::read_to_string(root().join("reports/gallery.txt")).unwrap();
    let mut entries = vec![];
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (command, comment) = line.split_once('#').unwrap_or((line, ""));
        let exit = match comment.trim().strip_prefix("exits ") {
            Some(code) => code.trim().parse().unwrap_or_else(|_| panic!("gallery.txt:{}: exits N", n + 1)),
            None => 0,
        };
        let mut words = command.split_whitespace().map(str::to_string);
        assert_eq!(words.next().as_deref(), Some("kinesim"), "gallery.txt:{}: a kinesim command", n + 1);
        let args: Vec<String> = words.collect();
        let out = args.iter().position(|a| a == "--out").and_then(|i| args.get(i + 1));
        let folder = out
            .and_then(|o| o.strip_prefix("reports/"))
            .unwrap_or_else(|| panic!("gallery.txt:{}: every command names --out reports/FOLDER", n + 1))
            .to_string();
        entries.push(Entry { args, folder, exit });
    }
    entries
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// Runs the gallery in a scratch copy of the repository's layout; returns that copy's
/// `reports/` folder, holding every report folder and `<folder>.txt` with what was printed.
fn regenerate() -> PathBuf {
    let work = crate::common::scratch("gallery", "work");
    copy_tree(&root().join("scenarios"), &work.join("scenarios"));
    for e in manifest() {
        let out = Command::new(BIN).current_dir(&work).args(&e.args).env_remove("NO_COLOR").output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(e.exit),
            "kinesim {}: {}",
            e.args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
        std::fs::write(work.join("reports").join(format!("{}.txt", e.folder)), &out.stdout).unwrap();
    }
    work.join("reports")
}

/// The gallery's files in `reports/`: everything but the manifest and the folder's README.
fn gallery_files(reports: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = snapshot(reports);
    files.remove("gallery.txt");
    files.remove("README.md");
    files
}

/// The first line where two texts differ, for a readable failure.
fn first_difference(expected: &[u8], found: &[u8]) -> String {
    let (a, b) = (String::from_utf8_lossy(expected), String::from_utf8_lossy(found));
    for (i, (x, y)) in a.lines().zip(b.lines()).enumerate() {
        if x != y {
            let cut = |s: &str| s.chars().take(160).collect::<String>();
            return format!("line {}:\n  expected: {}\n  found:    {}", i + 1, cut(x), cut(y));
        }
    }
    format!("lengths differ: expected {} lines, found {}", a.lines().count(), b.lines().count())
}

#[test]
fn gallery_reports_are_what_kinesim_writes_now() {
    let fresh = regenerate();
    let committed_dir = root().join("reports");
    if blessing() {
        for e in std::fs::read_dir(&committed_dir).unwrap() {
            let e = e.unwrap();
            let name = e.file_name().to_string_lossy().into_owned();
            if name == "gallery.txt" || name == "README.md" {
                continue;
            }
            if e.file_type().unwrap().is_dir() {
                std::fs::remove_dir_all(e.path()).unwrap();
            } else {
                std::fs::remove_file(e.path()).unwrap();
            }
        }
        copy_tree(&fresh, &committed_dir);
        documents_against_gallery(true);
        return;
    }
    let committed = gallery_files(&committed_dir);
    let now = gallery_files(&fresh);
    let mut problems = vec![];
    for (name, bytes) in &now {
        match committed.get(name) {
            None => problems.push(format!("reports/{name}: new, not committed")),
            Some(old) if old != bytes => {
                problems.push(format!("reports/{name} differs at {}", first_difference(old, bytes)))
            }
            Some(_) => {}
        }
    }
    for name in committed.keys().filter(|n| !now.contains_key(*n)) {
        problems.push(format!("reports/{name}: committed, no longer written"));
    }
    assert!(
        problems.is_empty(),
        "the gallery changed ({} files). If the change is meant, rewrite it with \
         `KINESIM_BLESS=1 cargo test --test it gallery` and review the diff of reports/:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// Blocks of README.md and docs/*.md marked `<!-- gallery: FILE -->` (the fenced block right
/// after the marker) show `reports/FILE` as it is: the documents' example outputs come from the
/// gallery and cannot go stale. `KINESIM_BLESS=1` rewrites the blocks.
#[test]
fn documents_show_the_gallery_as_it_is() {
    if blessing() {
        return; // gallery_reports_are_what_kinesim_writes_now rewrites them after the reports
    }
    documents_against_gallery(false);
}

fn blessing() -> bool {
    std::env::var("KINESIM_BLESS").is_ok_and(|v| v == "1")
}

fn documents_against_gallery(bless: bool) {
    let mut documents = vec![root().join("README.md")];
    for e in std::fs::read_dir(root().join("docs")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "md") {
            documents.push(p);
        }
    }
    documents.sort();
    let mut checked = 0;
    for doc in documents {
        let text = std::fs::read_to_string(&doc).unwrap();
        let name = doc.strip_prefix(root()).unwrap().display().to_string();
        let mut blessed = String::new();
        let mut rest = text.as_str();
        while let Some(at) = rest.find("<!-- gallery: ") {
            let after = &rest[at + "<!-- gallery: ".len()..];
            let file = after[..after.find(" -->").expect("marker ends with -->")].trim();
            let fence = after.find("```").expect("a fenced block follows the marker");
            let body_start = fence + after[fence..].find('\n').unwrap() + 1;
            let body_end = body_start + after[body_start..].find("```").unwrap();
            let shown = &after[body_start..body_end];
            let wanted = std::fs::read_to_string(root().join("reports").join(file))
                .unwrap_or_else(|e| panic!("{name} names reports/{file}: {e}"));
            if bless {
                let head = at + "<!-- gallery: ".len() + body_start;
                blessed.push_str(&rest[..head]);
                blessed.push_str(&wanted);
            } else {
                assert!(
                    shown == wanted,
                    "{name}: the block for reports/{file} is stale (KINESIM_BLESS=1 cargo test --test it gallery \
                     rewrites it): {}",
                    first_difference(wanted.as_bytes(), shown.as_bytes())
                );
            }
            rest = &after[body_end..];
            checked += 1;
        }
        if bless {
            blessed.push_str(rest);
            if blessed != text {
                std::fs::write(&doc, blessed).unwrap();
            }
        }
    }
    assert!(checked >= 4, "the documents show at least four gallery outputs, found {checked} markers");
}
