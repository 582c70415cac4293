/* compare.c - the table comparing several NEW files with one BASE (see compare.h). */
#include "compare.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* v as fmt (scaled), or "-" in width where it is not known. */
static void cell(FILE *o, int width, const char *fmt, double v)
{
    char text[40];
    if (isnan(v))
        snprintf(text, sizeof text, "-");
    else
        snprintf(text, sizeof text, fmt, v);
    fprintf(o, " %*s", width, text);
}

/* A JSON number (shortest round trip), null where not finite. */
static void num(FILE *o, const char *key, double v, const char *sep)
{
    char text[32] = "null";
    for (int d = 1; isfinite(v) && d <= 17; d++) {
        snprintf(text, sizeof text, "%.*g", d, v);
        if (strtod(text, NULL) == v)
            break;
    }
    fprintf(o, "\"%s\": %s%s", key, text, sep);
}

void compare_write(FILE *o, const summary *all, const run_info *info, int count, int json)
{
    if (json)
        fputs("\"comparison\": [", o);
    else
        fprintf(o, "\ncomparison with base %s\n  %-28s %11s %11s %9s %10s %8s %11s %11s\n",
                info[0].base.path, "new", "mean KL", "p99 KL", "same top", "PPL ratio", "RMS dp",
                "mean JS", "mean TV");
    for (int k = 0; k < count; k++) {
        const summary s = all[k];
        const char *path = info[k].new_.path;
        if (json) {
            fputs(k ? ", {\"new\": " : "{\"new\": ", o);
            fputc('"', o);
            for (const char *c = path; *c; c++) /* JSON-escaped as report.c's paths are */
                if (*c == '"' || *c == '\\')
                    fprintf(o, "\\%c", *c);
                else if ((unsigned char)*c < 0x20)
                    fprintf(o, "\\u%04x", (unsigned char)*c);
                else
                    fputc(*c, o);
            fputs("\", ", o);
            num(o, "kl_mean", s.fwd.mean, ", ");
            num(o, "kl_p99", s.fwd.p99, ", ");
            num(o, "same_top", s.agree, ", ");
            num(o, "ppl_ratio", s.tok.ratio, ", ");
            num(o, "delta_p_rms", s.tok.dp_rms, ", ");
            num(o, "js_mean", s.js_mean, ", ");
            num(o, "tv_mean", s.tv_mean, "}");
            continue;
        }
        const size_t len = strlen(path);
        fprintf(o, "  %s%-*s", len > 28 ? "..." : "", len > 28 ? 25 : 28,
                len > 28 ? path + len - 25 : path);
        cell(o, 11, "%.6g", s.fwd.mean);
        cell(o, 11, "%.6g", s.fwd.p99);
        cell(o, 9, "%.2f%%", 100.0 * s.agree);
        cell(o, 10, "%.6f", s.tok.ratio);
        cell(o, 8, "%.3f%%", 100.0 * s.tok.dp_rms);
        cell(o, 11, "%.6g", s.js_mean);
        cell(o, 11, "%.6g", s.tv_mean);
        fputc('\n', o);
    }
    if (json)
        fputs("]", o);
}
