//! go-yaml v2 compatible YAML, as Helm sees it through `sigs.k8s.io/yaml`: loading values
//! (YAML 1.1 scalars, every number a float64) and emitting `toYaml` output byte for byte.
