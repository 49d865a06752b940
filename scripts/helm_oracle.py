"""Shared by the recording scripts: how the reference helm is run and how recorded files are
updated (or, with --check, only compared)."""
import os

HELM = os.path.expanduser('~/.cache/helm-oracle/v3/helm')
CHART_YAML = 'apiVersion: v2\nname: t\nversion: 0.1.0\n'


def helm_env(home):
    """A clean environment: no user helm config/cache/data, no cluster, fixed time zone."""
    return {
        'PATH': os.environ.get('PATH', '/usr/bin:/bin'),
        'HOME': home,
        'HELM_CACHE_HOME': os.path.join(home, 'cache'),
        'HELM_CONFIG_HOME': os.path.join(home, 'config'),
        'HELM_DATA_HOME': os.path.join(home, 'data'),
        'KUBECONFIG': '/dev/null',
        'TZ': 'UTC',
        'LANG': 'C.UTF-8',
    }


def update_file(path, text, check):
    """Write `text` to `path` unless it already holds it (never writes when `check`).
    Returns True when the file was out of date."""
    old = None
    if os.path.exists(path):
        with open(path, encoding='utf-8', newline='') as f:
            old = f.read()
    if old == text:
        return False
    if not check:
        with open(path, 'w', encoding='utf-8', newline='') as f:
            f.write(text)
    return True
