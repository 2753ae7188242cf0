/*
 * Line client that waits on two things at once with poll(): the keyboard and the server.
 *
 * Shows: why multiplexing exists even in a client. A blocking client that waits in fgets() cannot
 * see the server closing the connection until you type; this one prints replies (and a server's
 * goodbye) the moment they arrive. At end of input it half-closes (shutdown SHUT_WR) and reads
 * until the server closes. Same protocol as the tcp client.
 *
 * Build: gcc -std=gnu17 -Wall -Wextra -Werror -O2 -o client client.c
 * Run:   ./client 127.0.0.1 9090    (type lines; Ctrl-D to finish)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int parse_port(const char *s, long *port) {
    char *end;
    errno = 0;
    *port = strtol(s, &end, 10);
    return errno == 0 && end != s && *end == '\0' && *port >= 1 && *port <= 65535;
}

static int send_all(int fd, const char *p, size_t len) {
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char *host = argc > 1 ? argv[1] : "127.0.0.1";
    long port = 9090;
    struct sockaddr_in addr = {.sin_family = AF_INET};
    if (argc == 2 || argc > 3 || (argc == 3 && !parse_port(argv[2], &port)) || inet_pton(AF_INET, host, &addr.sin_addr) != 1) {
        fprintf(stderr, "usage: client [ipv4-host port]\n");
        return 2;
    }
    addr.sin_port = htons((uint16_t)port);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
        fprintf(stderr, "connect failed: %s\n", strerror(errno));
        return 1;
    }
    printf("connected to %s:%ld\n", host, port);

    /* Raw read()s, not stdio: poll() knows nothing of bytes stdio has already buffered. */
    struct pollfd fds[2] = {{.fd = STDIN_FILENO, .events = POLLIN}, {.fd = fd, .events = POLLIN}};
    char buf[4096];
    int input_open = 1;
    for (;;) {
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR) continue;
            fprintf(stderr, "poll failed: %s\n", strerror(errno));
            return 1;
        }
        if (fds[1].revents) { /* the server: replies, or its end */
            ssize_t n = recv(fd, buf, sizeof buf, 0);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) {
                fprintf(stderr, "recv failed: %s\n", strerror(errno));
                return 1;
            }
            if (n == 0) {
                if (input_open) {
                    fprintf(stderr, "server closed the connection\n");
                    return 1;
                }
                break; /* we had finished: the server answered everything and closed */
            }
            fwrite(buf, 1, (size_t)n, stdout); /* replies are whole lines; line-buffered stdout */
        }
        if (input_open && fds[0].revents) { /* the keyboard (or a pipe) */
            ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) {
                fprintf(stderr, "read failed: %s\n", strerror(errno));
                return 1;
            }
            if (n == 0) {
                input_open = 0;
                fds[0].fd = -1;           /* poll() ignores negative descriptors */
                shutdown(fd, SHUT_WR);    /* half-close: no more lines */
            } else if (send_all(fd, buf, (size_t)n) < 0) {
                fprintf(stderr, "send failed: %s\n", strerror(errno));
                return 1;
            }
        }
    }
    close(fd);
    return 0;
}
