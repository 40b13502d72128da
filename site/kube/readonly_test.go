package kube

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// A read-only connection refuses every mutating verb at the transport: the server never sees it.
func TestReadOnlyTransportRefusesMutations(t *testing.T) {
	var mutating atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			mutating.Add(1)
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"kind":"NodeList","apiVersion":"v1","items":[]}`))
	}))
	defer srv.Close()
	kc := filepath.Join(t.TempDir(), "kubeconfig")
	os.WriteFile(kc, []byte(`apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: `+srv.URL+`}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`), 0o600)
	c, err := Connect(Options{Kubeconfig: kc, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := c.Kube.CoreV1().Nodes().List(ctx, metav1.ListOptions{}); err != nil {
		t.Fatalf("list must pass: %v", err)
	}
	err = c.Kube.CoreV1().Pods("ns").Delete(ctx, "p", metav1.DeleteOptions{})
	if !errors.Is(err, ErrReadOnly) {
		t.Fatalf("delete: %v", err)
	}
	_, err = c.Kube.CoreV1().Nodes().Create(ctx, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n"}}, metav1.CreateOptions{})
	if !errors.Is(err, ErrReadOnly) {
		t.Fatalf("create: %v", err)
	}
	if mutating.Load() != 0 {
		t.Fatalf("%d mutating requests reached the server", mutating.Load())
	}
}

func TestMissingKubeconfigNamesPath(t *testing.T) {
	_, err := Connect(Options{Kubeconfig: "/nonexistent/kc"})
	if err == nil || !strings.Contains(err.Error(), "/nonexistent/kc") {
		t.Fatalf("%v", err)
	}
}
