//go:build tools

// Package tools pins the lab's kube-apiserver and kubectl: k8s.io/kubernetes from the Go module proxy, with
// every staging module replaced by its published v0.37.2.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	// kubectl, timed beside opsdeck by cmd/benchscreen.
	_ "k8s.io/kubernetes/cmd/kubectl"
)
