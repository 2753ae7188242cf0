/*
 * uds-dgram-client, reference solution: sends each line of standard input as a datagram to the
 * server at SOCKET, from a path of its own (else the server could not answer), prints each answer,
 * and removes its own socket file at the end.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s SOCKET\n", argv[0]);
        return 2;
    }
    struct sockaddr_un server = { .sun_family = AF_UNIX }, self = { .sun_family = AF_UNIX };
    if (strlen(argv[1]) >= sizeof server.sun_path) {
        fprintf(stderr, "%s: path too long\n", argv[1]);
        return 2;
    }
    strcpy(server.sun_path, argv[1]);
    snprintf(self.sun_path, sizeof self.sun_path, "/tmp/uds-client-%d.sock", (int)getpid());

    int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
    if (fd < 0) { perror("socket"); return 1; }
    unlink(self.sun_path);
    if (bind(fd, (struct sockaddr *)&self, sizeof self) < 0) { perror("bind"); return 1; }
    struct timeval timeout = { .tv_sec = 2 };
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);

    int status = 0;
    char line[4096], reply[65536];
    while (fgets(line, sizeof line, stdin)) {
        size_t len = strcspn(line, "\n");
        if (sendto(fd, line, len, 0, (struct sockaddr *)&server, sizeof server) < 0) {
            perror("sendto");
            status = 1;
            break;
        }
        ssize_t n = recv(fd, reply, sizeof reply, 0);
        if (n < 0) {
            fprintf(stderr, "no answer: %s\n", strerror(errno));
            status = 1;
            break;
        }
        printf("%.*s\n", (int)n, reply);
        fflush(stdout);
    }
    close(fd);
    unlink(self.sun_path);
    return status;
}
