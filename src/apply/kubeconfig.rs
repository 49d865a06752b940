//! A kube client from `--kubeconfig`, else `KUBECONFIG`, else `~/.kube/config`, with an
//! optional `--context`.

use super::error::ApplyError;
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};
use std::path::PathBuf;

/// Where the client configuration comes from.
#[derive(Clone, Debug, Default)]
pub struct ClientOptions {
    /// Explicit kubeconfig file (`--kubeconfig`).
    pub kubeconfig: Option<PathBuf>,
    /// Context to use instead of the current one (`--context`).
    pub context: Option<String>,
}

/// Builds a client. Without an explicit file, kube's own search applies (`KUBECONFIG`, a
/// colon-separated list, then `~/.kube/config`).
pub async fn client(opts: &ClientOptions) -> Result<Client, ApplyError> {
    let options = KubeConfigOptions {
        context: opts.context.clone(),
        ..KubeConfigOptions::default()
    };
    let config = match &opts.kubeconfig {
        Some(path) => {
            let kc = Kubeconfig::read_from(path)
                .map_err(|e| ApplyError::Config(format!("{}: {e}", path.display())))?;
            Config::from_custom_kubeconfig(kc, &options)
                .await
                .map_err(|e| ApplyError::Config(format!("{}: {e}", path.display())))?
        }
        None => Config::from_kubeconfig(&options)
            .await
            .map_err(|e| ApplyError::Config(e.to_string()))?,
    };
    Client::try_from(config).map_err(|e| ApplyError::Config(e.to_string()))
}
