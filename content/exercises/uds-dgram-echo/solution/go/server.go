// uds-dgram-echo, reference solution: a Unix datagram server that answers "echo: <text>" to
// each sender's address. A sender that never bound an address cannot be answered: skip it. A file
// at the path is removed only when nobody is bound there, and SIGINT/SIGTERM remove ours.
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
	if len(os.Args) != 2 {
		fmt.Fprintf(os.Stderr, "usage: %s SOCKET\n", os.Args[0])
		os.Exit(2)
	}
	path := os.Args[1]
	if err := removeStale(path); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		fmt.Fprintf(os.Stderr, "bind failed: %v\n", err)
		os.Exit(1)
	}
	// Unlike a stream listener, a datagram socket does not remove its file on Close: we do it.
	defer os.Remove(path)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		conn.Close()
	}()
	fmt.Println("listening on", path)
	buf := make([]byte, 65536)
	for {
		n, peer, err := conn.ReadFromUnix(buf)
		if errors.Is(err, net.ErrClosed) {
			break
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "receive failed: %v\n", err)
			time.Sleep(10 * time.Millisecond) // never spin on a persistent error
			continue
		}
		// n == 0 is an empty datagram, a message like any other.
		if peer == nil || peer.Name == "" {
			continue // unbound sender: nowhere to answer
		}
		reply := append([]byte("echo: "), buf[:n]...)
		if _, err := conn.WriteToUnix(reply, peer); err != nil {
			fmt.Fprintf(os.Stderr, "send to %s failed: %v\n", peer.Name, err)
		}
	}
	fmt.Println("shutting down")
}

// removeStale removes a socket file nobody is bound to, and refuses to touch anything else.
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
	// connect() on a datagram socket to a file nobody is bound to fails with ECONNREFUSED.
	probe, err := net.Dial("unixgram", path)
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
