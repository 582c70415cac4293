/* kldiv.c - compares two models' next-token logits (or probabilities) row by row with kld and
 * prints the distribution of the KL divergence: kld's main job for a person (cli.c). Exit
 * status: 0 ok, 1 data or output error (a report that could not be written included),
 * 2 usage error. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

int main(int argc, char **argv)
{
    int status = kldiv_main(argc, argv);
    if (fclose(stdout) != 0 && status == 0) {
        fprintf(stderr, "kldiv: writing the report failed: %s\n", strerror(errno));
        status = 1;
    }
    return status;
}
