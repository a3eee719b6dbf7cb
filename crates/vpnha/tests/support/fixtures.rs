//! The JSON documents of a directory of Azure fixtures, shared by the import tests.

use std::path::{Path, PathBuf};

/// The `.json` files of `dir`, sorted.
pub(crate) fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

/// The inputs of a fixture directory, sorted: its `.json` files but the `expected*` results.
pub(crate) fn inputs(dir: &Path) -> Vec<PathBuf> {
    json_files(dir)
        .into_iter()
        .filter(|p| {
            !p.file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with("expected")
        })
        .collect()
}
