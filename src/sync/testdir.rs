//! Scratch directories for the sync tests, removed when the test ends (pass or fail).

use std::path::{Path, PathBuf};

/// `rudder-NAME-PID` under the system temp directory, emptied on creation and removed on drop.
pub(crate) struct TestDir(PathBuf);

impl TestDir {
    /// A fresh directory, created unless `create` is false (for code that creates it itself).
    pub(crate) fn new(name: &str, create: bool) -> TestDir {
        let d = std::env::temp_dir().join(format!("rudder-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        if create {
            let _ = std::fs::create_dir_all(&d);
        }
        TestDir(d)
    }
}

impl std::ops::Deref for TestDir {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for TestDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
