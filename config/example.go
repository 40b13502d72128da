package config

import _ "embed"

// Example is the fully commented site file that `opsdeck config init` writes.
//
//go:embed example.yaml
var Example []byte
