//! Reading packaged charts (`.tgz`) safely, as Helm's `LoadArchiveFiles` does: gunzip + untar,
//! the first path component dropped, `..`, absolute paths and links rejected, size limits.

use flate2::read::GzDecoder;
use std::io::Read;
use std::sync::Arc;

/// Largest total decompressed size Helm accepts.
pub const MAX_DECOMPRESSED: u64 = 100 * 1024 * 1024;
/// Largest single file.
pub const MAX_FILE: u64 = 5 * 1024 * 1024;

/// Whether `data` looks like a gzip stream.
pub fn is_gzip(data: &[u8]) -> bool {
    data.starts_with(&[0x1f, 0x8b, 0x08])
}

/// Extracts the chart files of an archive as `(chart-relative path, data)` in archive order.
pub fn load_archive_files(data: &[u8]) -> Result<super::FileList, String> {
    if !is_gzip(data) {
        return Err(
            "file does not appear to be a gzipped archive; got 'application/octet-stream'".into(),
        );
    }
    let mut ar = tar::Archive::new(GzDecoder::new(data));
    let mut out = Vec::new();
    let mut total: u64 = 0;
    let entries = ar.entries().map_err(|e| e.to_string())?;
    for entry in entries {
        let mut entry = entry.map_err(|e| e.to_string())?;
        let kind = entry.header().entry_type();
        if kind.is_dir() || kind.is_pax_global_extensions() || kind.is_pax_local_extensions() {
            continue;
        }
        let raw = entry.path_bytes().into_owned();
        let name = String::from_utf8_lossy(&raw).replace('\\', "/");
        // Drop the first component (the chart's directory), whatever it is called.
        let Some((_, rest)) = name.split_once('/') else {
            continue;
        };
        let rel = rest.to_string();
        if rel.is_empty() {
            continue;
        }
        if rel.starts_with('/') || rel.split('/').any(|c| c == "..") || rel.contains(':') {
            return Err(format!(
                "chart illegally contains content outside the base directory: {name:?}"
            ));
        }
        if kind.is_symlink() || kind.is_hard_link() {
            return Err(format!(
                "chart contains a link, which is not allowed: {name:?}"
            ));
        }
        if !kind.is_file()
            && kind != tar::EntryType::Continuous
            && kind != tar::EntryType::GNUSparse
        {
            continue;
        }
        let size = entry.header().size().map_err(|e| e.to_string())?;
        if size > MAX_FILE {
            return Err(format!(
                "file {rel:?} is larger than the maximum file size {MAX_FILE}"
            ));
        }
        total += size;
        if total > MAX_DECOMPRESSED {
            return Err(format!(
                "decompressed chart is larger than the maximum size {MAX_DECOMPRESSED}"
            ));
        }
        let mut buf = Vec::with_capacity(size as usize);
        entry
            .by_ref()
            .take(MAX_FILE + 1)
            .read_to_end(&mut buf)
            .map_err(|e| e.to_string())?;
        let buf = strip_bom(buf);
        out.push((rel, Arc::from(buf)));
    }
    if out.is_empty() {
        return Err("no files in chart archive".into());
    }
    Ok(out)
}

/// Helm strips a UTF-8 byte-order mark from every file.
pub fn strip_bom(mut data: Vec<u8>) -> Vec<u8> {
    if data.starts_with(&[0xef, 0xbb, 0xbf]) {
        data.drain(..3);
    }
    data
}
