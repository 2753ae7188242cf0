// uds-peercred, reference solution: a Unix stream echo server that serves one user only.
//
// The socket file is mode 0660, so the owner's whole group may connect; the kernel then tells us,
// for each accepted connection, which process is at the other end (SO_PEERCRED: pid, uid, gid as
// they were at connect()). Only the uid running this server is welcome; anyone else is told so
// and hung up on, before a byte of theirs is read: what a client writes proves nothing.
//
// Build: go build -o server server.go
// Run:   ./server /tmp/peercred.sock
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

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: server SOCKET")
		os.Exit(2)
	}
	path := os.Args[1]
	if err := removeStale(path); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		fmt.Fprintf(os.Stderr, "listen failed: %v\n", err)
		os.Exit(1)
	}
	// The group may connect; SO_PEERCRED, not the file mode, decides who is served.
	if err := os.Chmod(path, 0o660); err != nil {
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

	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		conns = map[net.Conn]struct{}{}
		n     int
		delay time.Duration // after a failed Accept: 5 ms, doubling up to 1 s
	)
	for {
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

// peerCred asks the kernel who is at the other end of the accepted connection. (Asking the
// listener instead would name whoever called listen(), that is us, whoever connects.)
func peerCred(conn *net.UnixConn) (*syscall.Ucred, error) {
	raw, err := conn.SyscallConn()
	if err != nil {
		return nil, err
	}
	var cred *syscall.Ucred
	var credErr error
	err = raw.Control(func(fd uintptr) {
		cred, credErr = syscall.GetsockoptUcred(int(fd), syscall.SOL_SOCKET, syscall.SO_PEERCRED)
	})
	if err != nil {
		return nil, err
	}
	return cred, credErr
}

func serve(conn *net.UnixConn, id int) {
	defer conn.Close()
	defer fmt.Printf("client #%d disconnected\n", id)
	cred, err := peerCred(conn)
	if err != nil {
		fmt.Fprintf(os.Stderr, "client #%d: SO_PEERCRED failed: %v\n", id, err)
		return
	}
	if int(cred.Uid) != os.Getuid() {
		fmt.Printf("client #%d: uid %d (pid %d) refused\n", id, cred.Uid, cred.Pid)
		conn.Write([]byte(fmt.Sprintf("refused uid %d\n", cred.Uid))) // if it fails, the client has gone already
		return
	}
	fmt.Printf("client #%d: uid %d (pid %d) welcome\n", id, cred.Uid, cred.Pid)
	if _, err := fmt.Fprintf(conn, "welcome uid %d\n", cred.Uid); err != nil {
		return
	}
	lines := bufio.NewScanner(conn)
	lines.Buffer(make([]byte, 4096), maxLine)
	for lines.Scan() {
		line := lines.Text()
		if n := len(line); n > 0 && line[n-1] == '\r' {
			line = line[:n-1]
		}
		if _, err := conn.Write([]byte("echo: " + line + "\n")); err != nil {
			fmt.Fprintf(os.Stderr, "client #%d: write failed: %v\n", id, err)
			return
		}
	}
	if err := lines.Err(); err != nil && !errors.Is(err, net.ErrClosed) {
		fmt.Fprintf(os.Stderr, "client #%d: read failed: %v\n", id, err)
	}
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
