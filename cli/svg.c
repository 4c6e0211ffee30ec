/* svg.c - chart primitives for the report; see svg.h. */
#include "cli/svg.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/html.h"

#define LABEL_GAP 14.0 /* px between two end labels: 12 px text and a little air */

/* Advance widths of the printable ASCII characters (space to '~') in
 * thousandths of an em, as Chromium sets them in DejaVu Sans, Debian's
 * sans-serif: wider than Arial or Helvetica, so a reader whose browser
 * picks one of those sees a little more room, never less. */
static const unsigned short regular_widths[95] = {
    318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838,
    318, 361, 318, 337, 636, 636, 636, 636, 636, 636, 636, 636,
    636, 636, 337, 337, 838, 838, 838, 531, 1000, 684, 686, 698,
    770, 632, 575, 775, 752, 295, 295, 656, 557, 863, 748, 787,
    603, 787, 695, 635, 611, 732, 684, 989, 685, 611, 685, 390,
    337, 390, 838, 500, 500, 613, 635, 550, 635, 615, 352, 635,
    634, 278, 278, 579, 278, 974, 634, 612, 635, 635, 411, 521,
    392, 634, 592, 818, 592, 592, 525, 636, 337, 636, 838,
};
static const unsigned short bold_widths[95] = {
    348, 456, 521, 838, 696, 1002, 872, 306, 457, 457, 523, 838,
    380, 415, 380, 365, 696, 696, 696, 696, 696, 696, 696, 696,
    696, 696, 400, 400, 838, 838, 838, 580, 1000, 774, 762, 734,
    830, 683, 683, 821, 837, 372, 372, 775, 637, 995, 837, 850,
    733, 850, 770, 720, 682, 812, 774, 1103, 771, 724, 725, 457,
    365, 457, 838, 500, 500, 675, 716, 593, 716, 678, 435, 716,
    712, 343, 343, 665, 343, 1042, 712, 687, 716, 716, 493, 595,
    478, 712, 652, 924, 645, 652, 582, 712, 365, 712, 838,
};
#define OTHER_WIDTH 820      /* any other character (ø, á, ŋ, …): most are narrower */
#define OTHER_WIDTH_BOLD 900
#define WIDTH_SLACK 1.05     /* kerning, hinting and other fonts */
#define ELLIPSIS "\xe2\x80\xa6" /* U+2026 */

const char *const kh_svg_palette[KH_SVG_NCOLORS] = {
    "#0072B2", /* blue: the focus municipality */
    "#D55E00", /* vermillion */
    "#009E73", /* bluish green */
    "#CC79A7", /* reddish purple */
    "#E69F00", /* orange */
    "#56B4E9", /* sky blue */
    "#7A5C00", /* dark yellow (for white paper) */
    "#4D4D4D", /* dark grey */
};

/* The width of the first n bytes of text; see kh_svg_text_width(). */
static double width_n(const char *text, size_t n, double px, int bold)
{
    const unsigned short *w = bold ? bold_widths : regular_widths;
    double em = 0;
    for (size_t i = 0; i < n && text[i]; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c >= 32 && c < 127)
            em += w[c - 32];
        else if ((c & 0xC0) != 0x80) /* the first byte of a UTF-8 sequence */
            em += bold ? OTHER_WIDTH_BOLD : OTHER_WIDTH;
    }
    return em / 1000.0 * px * WIDTH_SLACK;
}

double kh_svg_text_width(const char *text, double px, int bold)
{
    return width_n(text, strlen(text), px, bold);
}

int kh_svg_fit_text(char *buf, size_t cap, const char *text, double px, int bold, double max_w)
{
    size_t len = strlen(text);
    if (width_n(text, len, px, bold) <= max_w + 0.01 && len < cap) { /* 0.01: rounding of margins */
        memcpy(buf, text, len + 1);
        return 0;
    }
    double room = max_w - kh_svg_text_width(ELLIPSIS, px, bold);
    size_t keep = 0; /* bytes of text kept: whole characters that fit with the ellipsis */
    for (size_t i = 1; i <= len && i + sizeof ELLIPSIS <= cap; i++) {
        if (i < len && ((unsigned char)text[i] & 0xC0) == 0x80)
            continue; /* inside a character */
        if (width_n(text, i, px, bold) > room)
            break;
        keep = i;
    }
    /* cut between words where that keeps at least half ("Tromsø - Romsa…",
     * not "Tromsø - Romsa - Tro…"), and without a dangling " -" */
    if (keep < len && text[keep] != ' ') {
        size_t word = keep;
        while (word && text[word - 1] != ' ')
            word--;
        if (word * 2 >= keep)
            keep = word;
    }
    while (keep && (text[keep - 1] == ' ' || text[keep - 1] == '-'))
        keep--;
    if (cap)
        snprintf(buf, cap, "%.*s%s", (int)keep, text, ELLIPSIS);
    return 1;
}

void kh_svg_open(kh_plot_t *p, FILE *f, int width, int height, double left, double right, double top,
                 double bottom, const char *label)
{
    p->f = f;
    p->width = width;
    p->height = height;
    p->left = left;
    p->top = top;
    p->w = width - left - right;
    p->h = height - top - bottom;
    fprintf(f, "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
               "width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"",
            width, height, width, height);
    kh_html_esc(f, label);
    fprintf(f, "\">\n");
}

void kh_svg_close(const kh_plot_t *p)
{
    fprintf(p->f, "</svg>\n");
}

double kh_svg_x(const kh_plot_t *p, double x)
{
    return p->left + (x - p->x0) / (p->x1 - p->x0) * p->w;
}

double kh_svg_y(const kh_plot_t *p, double y)
{
    return p->top + p->h - (y - p->y0) / (p->y1 - p->y0) * p->h;
}

double kh_svg_nice_step(double range, int ticks)
{
    if (!(range > 0))
        return 1;
    double raw = range / ticks, mag = pow(10, floor(log10(raw)));
    double m = raw / mag;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * mag;
}

static void tick_text(char *buf, size_t cap, double v, kh_axis_t ax, double step)
{
    if (fabs(v) < step * 1e-6)
        v = 0; /* no "-0" from accumulated steps */
    if (ax == KH_AX_SHARE)
        snprintf(buf, cap, "%.0f %%", v * 100);
    else if (ax == KH_AX_NUM && step >= 100000)
        snprintf(buf, cap, "%g M", v / 1e6); /* "2.5 M": a tick stays narrow */
    else if (ax == KH_AX_NUM && step >= 1000)
        kh_html_thousands(buf, cap, (int64_t)llround(v));
    else if (ax == KH_AX_YEAR || step >= 1)
        snprintf(buf, cap, "%.0f", v);
    else
        snprintf(buf, cap, "%g", v);
}

void kh_svg_axes(const kh_plot_t *p, kh_axis_t xax, kh_axis_t yax, const char *xtitle,
                 const char *ytitle)
{
    FILE *f = p->f;
    char buf[48];
    double ystep = kh_svg_nice_step(p->y1 - p->y0, 5);
    for (double v = ceil(p->y0 / ystep - 1e-9) * ystep; v <= p->y1 + ystep * 1e-6; v += ystep) {
        double y = kh_svg_y(p, v);
        tick_text(buf, sizeof buf, v, yax, ystep);
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e4e4e4\"/>"
                   "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
                p->left, y, p->left + p->w, y, p->left - 6, y + 4, buf);
    }
    double xstep = xax == KH_AX_YEAR ? (p->x1 - p->x0 > 12 ? 2 : 1) : kh_svg_nice_step(p->x1 - p->x0, 6);
    for (double v = ceil(p->x0 / xstep - 1e-9) * xstep; v <= p->x1 + xstep * 1e-6; v += xstep) {
        double x = kh_svg_x(p, v);
        tick_text(buf, sizeof buf, v, xax, xstep);
        if (xax != KH_AX_YEAR)
            fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#eeeeee\"/>", x,
                    p->top, x, p->top + p->h);
        fprintf(f, "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n", x,
                p->top + p->h + 19, buf);
    }
    fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" "
               "stroke=\"#999\"/>\n",
            p->left, p->top, p->w, p->h);
    if (xtitle && *xtitle) {
        fprintf(f, "<text class=\"axis\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">",
                p->left + p->w / 2, p->height - 8);
        kh_html_esc(f, xtitle);
        fprintf(f, "</text>\n");
    }
    if (ytitle && *ytitle) {
        fprintf(f, "<text class=\"axis\" transform=\"translate(16 %.1f) rotate(-90)\" "
                   "text-anchor=\"middle\">",
                p->top + p->h / 2);
        kh_html_esc(f, ytitle);
        fprintf(f, "</text>\n");
    }
}

void kh_svg_empty(const kh_plot_t *p)
{
    fprintf(p->f, "<text class=\"empty\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">No values to "
                  "draw: every value here is suppressed or unavailable.</text>\n",
            p->left + p->w / 2, p->top + 24);
}

static int by_y(const void *a, const void *b)
{
    const kh_svg_label_t *x = a, *y = b;
    if (x->y != y->y)
        return x->y < y->y ? -1 : 1;
    return strcmp(x->text, y->text);
}

double kh_svg_end_labels_room(const char *const *texts, const int *bold, size_t n)
{
    double widest = 0;
    for (size_t i = 0; i < n; i++)
        widest = fmax(widest, kh_svg_text_width(texts[i], KH_SVG_FONT_PX, bold && bold[i]));
    return 6 + widest + KH_SVG_EDGE;
}

void kh_svg_end_labels(const kh_plot_t *p, double x, kh_svg_label_t *labels, size_t n)
{
    if (!n)
        return;
    qsort(labels, n, sizeof *labels, by_y);
    /* place top-down at least LABEL_GAP apart, then, if the last one fell
     * below the plot, shift the run up from the bottom */
    double *pos = malloc(n * sizeof *pos);
    if (!pos)
        abort();
    for (size_t i = 0; i < n; i++) {
        pos[i] = labels[i].y;
        if (i && pos[i] < pos[i - 1] + LABEL_GAP)
            pos[i] = pos[i - 1] + LABEL_GAP;
    }
    double bottom = p->top + p->h + 4;
    for (size_t i = n; i-- > 0;) {
        double limit = i == n - 1 ? bottom : pos[i + 1] - LABEL_GAP;
        if (pos[i] > limit)
            pos[i] = limit;
    }
    for (size_t i = 0; i < n; i++) {
        const kh_svg_label_t *l = &labels[i];
        if (l->from_x > 0 || fabs(pos[i] - l->y) > 2)
            fprintf(p->f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                          "stroke-width=\"0.8\"/>",
                    l->from_x > 0 ? l->from_x : x - 2, l->y, x + 4, pos[i], l->color);
        fprintf(p->f, "<text class=\"end-label\" x=\"%.1f\" y=\"%.1f\" style=\"fill:%s%s\">",
                x + 6, pos[i] + 4, l->color, l->bold ? ";font-weight:bold" : "");
        char shown[256];
        int cut = kh_svg_fit_text(shown, sizeof shown, l->text, KH_SVG_FONT_PX, l->bold,
                                  p->width - (x + 6) - KH_SVG_EDGE);
        kh_html_esc(p->f, shown);
        if (cut) {
            fprintf(p->f, "<title>");
            kh_html_esc(p->f, l->text);
            fprintf(p->f, "</title>");
        }
        fprintf(p->f, "</text>\n");
    }
    free(pos);
}
