// Unix datagram echo server: answers every datagram to the socket file it came from.
//
// Shows: net.ListenUnixgram (socket(AF_UNIX, SOCK_DGRAM) + bind), ReadFromUnix (recvfrom: the
// message and the sender's address) and WriteToUnix (sendto). Message boundaries are kept, and on
// one host nothing is lost or reordered. A sender that did not bind an address cannot be answered.
//
// Build: go build -o server server.go
// Run:   ./server /tmp/socketlab-uds-dgram.sock    then: ./client /tmp/socketlab-uds-dgram.sock
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

const maxPath = 107 // sun_path is 108 bytes including the terminating NUL

func main() {
	path := "/tmp/socketlab-uds-dgram.sock"
	if len(os.Args) > 2 {
		fmt.Fprintln(os.Stderr, "usage: server [socket-path]")
		os.Exit(2)
	}
	if len(os.Args) == 2 {
		path = os.Args[1]
	}
	if len(path) > maxPath {
		fmt.Fprintf(os.Stderr, "socket path too long (%d bytes, max %d)\n", len(path), maxPath)
		os.Exit(2)
	}
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
	// Ready only now: a signal that comes after this line finds its handler in place.
	fmt.Printf("listening on %s\n", path)

	buf := make([]byte, 65536)
	var delay time.Duration // how long to wait after a failed read: 5 ms, doubling up to 1 s
	for {
		n, from, err := conn.ReadFromUnix(buf)
		if errors.Is(err, net.ErrClosed) {
			break
		}
		if err != nil {
			// Out of memory, say: retrying at once would spin while it lasts, so wait, longer
			// each time (as net/http's Server does after a failed Accept).
			delay = min(max(2*delay, 5*time.Millisecond), time.Second)
			fmt.Fprintf(os.Stderr, "receive failed: %v; retrying in %v\n", err, delay)
			time.Sleep(delay)
			continue
		}
		delay = 0
		text := string(buf[:n])
		// An empty datagram is a legal message, not "the client quit": there is no connection to quit.
		if from == nil || from.Name == "" {
			fmt.Printf("from an unbound socket: %q (%d bytes), cannot reply\n", text, n)
			continue
		}
		fmt.Printf("from %s: %q (%d bytes)\n", from.Name, text, n)
		if _, err := conn.WriteToUnix([]byte("echo: "+text), from); err != nil {
			fmt.Fprintf(os.Stderr, "send to %s failed: %v\n", from.Name, err)
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
