// uds-fd-pass, reference solution: hands every client an open descriptor of a file the client
// may not open itself (SCM_RIGHTS).
//
// For each connection: open FILE read-only, send one byte "F" with the descriptor in an
// SCM_RIGHTS control message, close our copy, close the connection. The client receives a new
// descriptor of the same open file: permissions were checked once, at our open, against us.
// Nothing here waits for the client (one byte into an empty socket buffer never blocks), so one
// goroutine serves everybody in turn.
//
// Build: go build -o server server.go
// Run:   ./server /tmp/fd-pass.sock ~/secret.txt
package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: server SOCKET FILE")
		os.Exit(2)
	}
	path, file := os.Args[1], os.Args[2]
	if err := removeStale(path); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		fmt.Fprintf(os.Stderr, "listen failed: %v\n", err)
		os.Exit(1)
	}
	if err := os.Chmod(path, 0o660); err != nil { // the group may connect
		ln.Close()
		fmt.Fprintf(os.Stderr, "chmod failed: %v\n", err)
		os.Exit(1)
	}
	// Handle SIGINT/SIGTERM before saying we are up: whoever reads that line may stop us at once,
	// and an unhandled signal kills a Go program without any cleanup.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		ln.Close() // also unlinks the socket file
	}()
	fmt.Printf("listening on %s\n", path)

	var delay time.Duration // after a failed Accept: 5 ms, doubling up to 1 s
	for n := 1; ; n++ {
		conn, err := ln.AcceptUnix()
		if errors.Is(err, net.ErrClosed) {
			break
		}
		if err != nil {
			delay = min(max(2*delay, 5*time.Millisecond), time.Second)
			fmt.Fprintf(os.Stderr, "accept failed: %v; retrying in %v\n", err, delay)
			time.Sleep(delay)
			continue
		}
		delay = 0
		if err := sendFile(conn, file); err != nil {
			fmt.Fprintf(os.Stderr, "client #%d: %v\n", n, err)
		} else {
			fmt.Printf("client #%d: sent a descriptor of %s\n", n, file)
		}
		conn.Close()
	}
	fmt.Println("shutting down")
}

// sendFile opens file afresh (its own file offset) and sends "F" with its descriptor attached.
func sendFile(conn *net.UnixConn, file string) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	// Closed only after the send: the client then holds its own reference to the open file.
	defer f.Close()
	raw, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var sendErr error
	err = raw.Control(func(fd uintptr) {
		_, _, sendErr = conn.WriteMsgUnix([]byte("F"), syscall.UnixRights(int(fd)), nil)
	})
	if err != nil {
		return err
	}
	if sendErr != nil {
		return fmt.Errorf("sendmsg failed: %w", sendErr)
	}
	return nil
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
