// http-kv starter: a key-value store over HTTP on the Unix socket SOCKET.
// PUT /kv/<key> stores the body (204); GET answers it (200) or 404 {"error": ...}; DELETE answers
// 204, or 404; a key outside [a-z0-9-]{1,64} answers 400 {"error": ...} (JSON errors with
// Content-Type: application/json).
// This one stores and reads, but checks nothing and shares a map between goroutines unguarded.
// TODO: validate keys, JSON errors, DELETE, a sync.Mutex. Build: go build -o server server.go
package main

import (
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintf(os.Stderr, "usage: %s SOCKET\n", os.Args[0])
		os.Exit(2)
	}
	path := os.Args[1]
	_ = os.Remove(path)
	ln, err := net.Listen("unix", path)
	if err != nil {
		log.Fatal(err)
	}
	values := map[string][]byte{}
	http.HandleFunc("/kv/{key}", func(w http.ResponseWriter, r *http.Request) {
		key := r.PathValue("key")
		if r.Method == http.MethodPut {
			body, _ := io.ReadAll(r.Body)
			values[key] = body
			w.WriteHeader(http.StatusNoContent)
			return
		}
		_, _ = w.Write(values[key])
	})
	fmt.Println("listening on", path)
	log.Fatal(http.Serve(ln, nil))
}
