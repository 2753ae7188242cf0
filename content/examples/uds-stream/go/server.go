// Unix stream echo server: the TCP echo server on a socket file instead of a port.
//
// Shows: net.Listen("unix", path) (socket(AF_UNIX, SOCK_STREAM) + bind + listen), the 108-byte
// sun_path limit, telling a stale socket file (left by a crashed server) from a live server
// before removing it, and that UnixListener.Close removes the file it created.
//
// Build: go build -o server server.go
// Run:   ./server /tmp/socketlab-uds-stream.sock    then: ./client /tmp/socketlab-uds-stream.sock
package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"
)

const maxLine = 64 * 1024

// sun_path holds 108 bytes including the terminating NUL.
const maxPath = 107

func main() {
	path := "/tmp/socketlab-uds-stream.sock"
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

	ln, err := net.Listen("unix", path)
	if err != nil {
		fmt.Fprintf(os.Stderr, "listen failed: %v\n", err)
		os.Exit(1)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		ln.Close() // also unlinks the socket file: Go created it, so Go removes it
	}()
	// Ready only now: a signal that comes after this line finds its handler in place.
	fmt.Printf("listening on %s\n", path)

	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		conns = map[net.Conn]struct{}{}
		n     int           // clients accepted so far
		delay time.Duration // how long to wait after a failed Accept: 5 ms, doubling up to 1 s
	)
	for {
		conn, err := ln.Accept()
		if errors.Is(err, net.ErrClosed) {
			break
		}
		if err != nil {
			// Too many open files, say: a shortage that passes, not a broken listener. Retrying at
			// once would spin while it lasts, so wait, longer each time, as net/http's Server does.
			delay = min(max(2*delay, 5*time.Millisecond), time.Second)
			fmt.Fprintf(os.Stderr, "accept failed: %v; retrying in %v\n", err, delay)
			time.Sleep(delay)
			continue
		}
		delay = 0
		n++
		mu.Lock()
		conns[conn] = struct{}{}
		mu.Unlock()
		wg.Add(1)
		go func(id int) {
			defer wg.Done()
			serve(conn, id)
			mu.Lock()
			delete(conns, conn)
			mu.Unlock()
		}(n)
	}
	mu.Lock()
	for c := range conns {
		c.Close()
	}
	mu.Unlock()
	wg.Wait()
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
	// A live server accepts the connection; a file left by a crash refuses it (ECONNREFUSED).
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

// serve answers every line with "echo: <line>\n" until the client hangs up. Unix clients have
// no address of their own (they did not bind), so they are numbered.
func serve(conn net.Conn, id int) {
	defer conn.Close()
	fmt.Printf("client #%d connected\n", id)
	lines := bufio.NewScanner(conn)
	lines.Buffer(make([]byte, 4096), maxLine)
	for lines.Scan() { // stops at EOF: a hung-up client does not make us spin
		line := lines.Text()
		if n := len(line); n > 0 && line[n-1] == '\r' {
			line = line[:n-1]
		}
		fmt.Printf("client #%d says: %s\n", id, line)
		if _, err := conn.Write([]byte("echo: " + line + "\n")); err != nil {
			fmt.Fprintf(os.Stderr, "client #%d: write failed: %v\n", id, err)
			return
		}
	}
	if err := lines.Err(); err != nil && !errors.Is(err, net.ErrClosed) {
		fmt.Fprintf(os.Stderr, "client #%d: read failed: %v\n", id, err)
	}
	fmt.Printf("client #%d disconnected\n", id)
}
