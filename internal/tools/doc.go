// Package tools is the module that pins the project's tools, golangci-lint
// and benchstat, with go.mod's tool directive. It holds no code: run a
// tool with GOWORK=off go tool -modfile=internal/tools/go.mod <tool> from
// the repository root (see .ci/run). Its own go.work keeps it out of the
// repository's workspace, so that go commands run here see this module
// alone.
package tools
