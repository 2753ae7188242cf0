// HTTP client over a Unix socket: a normal http.Client whose transport dials the socket file.
//
// Shows: Transport.DialContext replacing the TCP dial with net.Dial("unix", path). The URL still
// needs a host ("http://localhost/..."): it goes into the Host header, but nothing resolves it.
// Also: a timeout on every request, and closing each response body.
//
// Build: go build -o client client.go
// Run:   ./client /tmp/socketlab-http-uds.sock
package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"
)

func main() {
	path := "/tmp/socketlab-http-uds.sock"
	switch len(os.Args) {
	case 1:
	case 2:
		path = os.Args[1]
	default:
		fmt.Fprintln(os.Stderr, "usage: client [socket-path]")
		os.Exit(2)
	}

	client := &http.Client{
		Timeout: 5 * time.Second,
		Transport: &http.Transport{
			// Every connection goes to the socket file, whatever host the URL names.
			DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
				var d net.Dialer
				return d.DialContext(ctx, "unix", path)
			},
		},
	}

	if err := show(client, http.MethodGet, "/health", ""); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := show(client, http.MethodPost, "/echo", "hello over a unix socket"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// show sends one request and prints "<METHOD> <path> -> <status> <body>".
func show(client *http.Client, method, path, body string) error {
	req, err := http.NewRequest(method, "http://localhost"+path, strings.NewReader(body))
	if err != nil {
		return err
	}
	if body != "" {
		req.Header.Set("Content-Type", "text/plain")
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s failed: %w", method, path, err)
	}
	defer resp.Body.Close() // returns the connection to the pool (or closes it)
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("%s %s: reading the body failed: %w", method, path, err)
	}
	fmt.Printf("%s %s -> %d %s\n", method, path, resp.StatusCode, got)
	return nil
}
