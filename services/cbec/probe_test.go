package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestProbe(t *testing.T) {
	m := startMain(t, t.TempDir())
	closed := false
	t.Cleanup(func() {
		if !closed {
			_ = m.Close(context.Background())
		}
	})
	probe := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := RunProbe(context.Background(), args, &out, io.Discard)
		return out.String(), err
	}
	for path, word := range map[string]string{"/readyz": "ready", "/healthz": "ok"} {
		out, err := probe(m.HTTPURL() + path)
		if err != nil || !strings.Contains(out, "200 OK "+word) {
			t.Errorf("probe %s of a running cbec: %q %v; want success, 200 OK %s", path, out, err, word)
		}
	}
	if _, err := probe(m.HTTPURL() + "/no-such-page"); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("probe of a page that answers 404: %v; want an error naming 404", err)
	}
	base := m.HTTPURL()
	closed = true
	if err := m.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := probe("--timeout", "2s", base+"/readyz"); err == nil {
		t.Error("probe of a stopped cbec succeeded")
	}
}

func TestProbeRefusesBadArguments(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--timeout", "0s"}, "--timeout 0s: want a duration above 0"},
		{[]string{"ftp://127.0.0.1/readyz"}, `"ftp://127.0.0.1/readyz" is not an http:// or https:// URL`},
		{[]string{"127.0.0.1:8080/readyz"}, "is not an http:// or https:// URL"},
		{[]string{"http://a/readyz", "http://b/readyz"}, "one URL, not"},
	} {
		err := RunProbe(context.Background(), c.args, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("cbec probe %q: %v; want %q", c.args, err, c.want)
		}
	}
	var usage bytes.Buffer
	if err := RunProbe(context.Background(), []string{"-h"}, io.Discard, &usage); !errors.Is(err, flag.ErrHelp) || !strings.Contains(usage.String(), DefaultProbeURL) {
		t.Errorf("cbec probe -h: %v, usage %q; want flag.ErrHelp and the default URL", err, usage.String())
	}
}

func TestProbeTimesOut(t *testing.T) {
	// A listener that accepts and never answers: the probe gives up at its
	// timeout, as Docker's health check would otherwise kill it.
	ln := listenSilently(t)
	start := time.Now()
	err := RunProbe(context.Background(), []string{"--timeout", "300ms", "http://" + ln + "/readyz"}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "no answer within 300ms") {
		t.Errorf("probe of a silent server: %v; want no answer within 300ms", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("probe took %v with --timeout 300ms", d)
	}
}

// listenSilently returns the address of a TCP listener that accepts
// connections and never answers, until the test ends.
func listenSilently(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	return ln.Addr().String()
}
