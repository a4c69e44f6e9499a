//! The built front end's file names. A release build names its JS, WASM and CSS after
//! their content (cargo-leptos lists the hashes in `hash.txt` beside the binary), so the
//! server lets browsers keep them for a year; a build without that file (the tests,
//! `cargo run`) serves the plain names.

use std::{path::PathBuf, sync::OnceLock};

use leptos::config::LeptosOptions;

/// Where cargo-leptos leaves the hashes of a release build: beside the running binary,
/// which is also where leptos's `HydrationScripts` looks for them.
pub fn hash_file(options: &LeptosOptions) -> Option<PathBuf> {
    let binary = std::env::current_exe().ok()?;
    Some(binary.parent()?.join(options.hash_file.as_ref()))
}

/// Whether this binary was built with hashed asset names beside it.
pub fn hashed_build(options: &LeptosOptions) -> bool {
    hash_file(options).is_some_and(|file| file.is_file())
}

/// The stylesheet's address: `/pkg/switchyard.<hash>.css`, or `/pkg/switchyard.css` when
/// names are not hashed. Worked out once per process.
pub fn stylesheet_href(options: &LeptosOptions) -> &'static str {
    static HREF: OnceLock<String> = OnceLock::new();
    HREF.get_or_init(|| {
        let hash = options
            .hash_files
            .then(|| hash_file(options))
            .flatten()
            .and_then(|file| std::fs::read_to_string(file).ok())
            .and_then(|text| hash_of(&text, "css"));
        let name = options.output_name.as_ref();
        let pkg = options.site_pkg_dir.as_ref();
        match hash {
            Some(hash) => format!("/{pkg}/{name}.{hash}.css"),
            None => format!("/{pkg}/{name}.css"),
        }
    })
}

/// The hash `hash.txt` gives for one kind of file (`css: <hash>`).
fn hash_of(text: &str, kind: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let (file, hash) = line.split_once(':')?;
        (file.trim() == kind && !hash.trim().is_empty()).then(|| hash.trim().to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::hash_of;

    #[test]
    fn the_hash_of_each_kind_is_read_from_its_own_line() {
        let text = "js: AbC-1\nwasm: dEf_2\ncss: gHi3\n";
        assert_eq!(hash_of(text, "css").as_deref(), Some("gHi3"));
        assert_eq!(hash_of(text, "wasm").as_deref(), Some("dEf_2"));
        assert_eq!(hash_of(text, "manifest"), None);
        assert_eq!(hash_of("css:\n", "css"), None);
    }
}
