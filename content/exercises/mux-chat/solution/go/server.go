// mux-chat, reference solution: a chat server, a reader and a writer goroutine per client.
//
// Each client is greeted with "welcome\n"; every line it sends goes to every other client. A
// line for a client is appended to that client's queue and its writer goroutine sends it, so
// a client that does not read blocks only its own writer; once more than 1 MiB waits for it, it
// is disconnected. SIGINT or SIGTERM stops the server.
//
// Build: go build -o server server.go
package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"syscall"
	"time"
)

const maxBehind = 1 << 20 // a client with more than this waiting for it is disconnected

type client struct {
	conn   net.Conn
	mu     sync.Mutex
	queue  [][]byte // lines waiting for the writer
	queued int      // their bytes
	gone   bool
	wake   chan struct{} // capacity 1: "the queue has something"
}

type room struct {
	mu      sync.Mutex
	clients map[*client]struct{}
}

// send queues a line for c, or disconnects c when it is too far behind.
func (c *client) send(line []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gone {
		return
	}
	if c.queued+len(line) > maxBehind {
		c.gone = true
		fmt.Printf("client %s left (more than 1 MiB behind)\n", c.conn.RemoteAddr())
		c.conn.Close() // its reader and writer return
		return
	}
	c.queue = append(c.queue, line)
	c.queued += len(line)
	select {
	case c.wake <- struct{}{}:
	default: // already woken
	}
}

// write sends the queue as it fills; a Write that blocks holds up this client only.
func (c *client) write() {
	for range c.wake {
		c.mu.Lock()
		lines := c.queue
		c.queue = nil
		c.mu.Unlock()
		for _, line := range lines {
			if _, err := c.conn.Write(line); err != nil {
				c.conn.Close()
				return
			}
			c.mu.Lock()
			c.queued -= len(line)
			c.mu.Unlock()
		}
	}
}

func (r *room) broadcast(from *client, line []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for c := range r.clients {
		if c != from {
			c.send(line)
		}
	}
}

func (r *room) serve(conn net.Conn) {
	c := &client{conn: conn, wake: make(chan struct{}, 1)}
	r.mu.Lock()
	r.clients[c] = struct{}{}
	r.mu.Unlock()
	fmt.Printf("client %s joined\n", conn.RemoteAddr())
	go c.write()
	c.send([]byte("welcome\n"))
	lines := bufio.NewScanner(conn)
	lines.Buffer(make([]byte, 4096), 64*1024)
	for lines.Scan() {
		line := make([]byte, len(lines.Bytes())+1) // a copy: Scan reuses its buffer
		copy(line, lines.Bytes())
		line[len(line)-1] = '\n'
		r.broadcast(c, line)
	}
	r.mu.Lock()
	delete(r.clients, c)
	r.mu.Unlock()
	c.mu.Lock()
	c.gone = true
	c.mu.Unlock()
	close(c.wake) // the writer ends
	conn.Close()
	fmt.Printf("client %s left\n", conn.RemoteAddr())
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: server PORT")
		os.Exit(2)
	}
	if n, err := strconv.Atoi(os.Args[1]); err != nil || n < 0 || n > 65535 {
		fmt.Fprintln(os.Stderr, "usage: server PORT   (port: 0-65535)")
		os.Exit(2)
	}
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", os.Args[1]))
	if err != nil {
		fmt.Fprintf(os.Stderr, "listen failed: %v\n", err)
		os.Exit(1)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		ln.Close()
	}()
	fmt.Printf("listening on %s\n", ln.Addr())

	r := &room{clients: make(map[*client]struct{})}
	var delay time.Duration // after a failed Accept: 5 ms, doubling up to 1 s
	for {
		conn, err := ln.Accept()
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
		go r.serve(conn)
	}
	fmt.Println("shutting down")
}
