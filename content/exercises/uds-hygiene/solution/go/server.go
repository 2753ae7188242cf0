// uds-hygiene, reference solution: a Unix stream echo server that cleans up after itself.
// A stale socket file (connect refused) is replaced, a live one (connect succeeds) is left alone,
// the socket gets mode 0660, and SIGINT/SIGTERM close the listener, which removes the file.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintf(os.Stderr, "usage: %s SOCKET\n", os.Args[0])
		os.Exit(2)
	}
	path := os.Args[1]
	if err := removeStale(path); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		fmt.Fprintf(os.Stderr, "listen failed: %v\n", err)
		os.Exit(1)
	}
	if err := os.Chmod(path, 0o660); err != nil {
		ln.Close()
		fmt.Fprintf(os.Stderr, "chmod failed: %v\n", err)
		os.Exit(1)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		ln.Close() // a UnixListener removes the file it created when it closes
	}()
	fmt.Println("listening on", path)
	var delay time.Duration // after a failed Accept: 5 ms, doubling up to 1 s, as net/http does
	for {
		conn, err := ln.Accept()
		if errors.Is(err, net.ErrClosed) {
			break
		}
		if err != nil {
			// Out of descriptors, for instance: back off instead of spinning on the same error.
			delay = min(max(2*delay, 5*time.Millisecond), time.Second)
			fmt.Fprintf(os.Stderr, "accept failed: %v; retrying in %v\n", err, delay)
			time.Sleep(delay)
			continue
		}
		delay = 0
		go func(c net.Conn) {
			defer c.Close()
			_, _ = io.Copy(c, c)
		}(conn)
	}
	fmt.Println("shutting down")
}

// removeStale removes a socket file nobody listens on, and refuses to touch anything else.
func removeStale(path string) error {
	info, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("cannot check %s: %w", path, err)
	}
	if info.Mode()&fs.ModeSocket == 0 {
		return fmt.Errorf("%s exists and is not a socket; not removing it", path)
	}
	probe, err := net.Dial("unix", path)
	if err == nil {
		probe.Close()
		return fmt.Errorf("another server is already listening on %s", path)
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		return fmt.Errorf("cannot check %s: %w", path, err)
	}
	if err := os.Remove(path); err != nil {
		return fmt.Errorf("cannot remove stale socket file %s: %w", path, err)
	}
	fmt.Printf("removed stale socket file %s\n", path)
	return nil
}
