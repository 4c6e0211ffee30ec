/* svg.h - the report's chart primitives: a plot area with data ranges,
 * axes with ticks, and labels placed at the end of lines without
 * overlapping. Writes inline SVG to a FILE; used by the report modules of
 * the `kohort` process. The palette is colour-blind safe (Okabe and Ito). */
#ifndef KH_CLI_SVG_H
#define KH_CLI_SVG_H

#include <stddef.h>
#include <stdio.h>

/* Colours: the municipalities drawn (the first is the focus), the all-
 * municipalities line, the national line, the highlight of bar charts. */
#define KH_SVG_NCOLORS 8
extern const char *const kh_svg_palette[KH_SVG_NCOLORS];
#define KH_SVG_TOTAL_COLOR "#8c8c8c"
#define KH_SVG_NATIONAL_COLOR "#000000"
#define KH_SVG_MUTED_COLOR "#c7c7c7"

/* The charts' text: 12 px sans-serif (the page's stylesheet), kept at
 * least KH_SVG_EDGE px inside the svg's edge. */
#define KH_SVG_FONT_PX 12.0
#define KH_SVG_EDGE 4.0

/* The width in px of `text` (UTF-8) set at `px` in the page's sans-serif,
 * bold or not: an estimate from DejaVu Sans's advance widths, a little
 * generous, so that a chart can leave room for a label before drawing it. */
double kh_svg_text_width(const char *text, double px, int bold);

/* Copies `text` into buf (cap bytes), shortened at a character boundary
 * and ended with "…" where it is wider than max_w px (kh_svg_text_width).
 * Returns 1 when it shortened the text (the caller then shows the whole
 * text as a <title>), 0 when it fits. */
int kh_svg_fit_text(char *buf, size_t cap, const char *text, double px, int bold, double max_w);

typedef enum { KH_AX_SHARE, KH_AX_NUM, KH_AX_YEAR } kh_axis_t;

typedef struct {
    FILE *f;
    double x0, x1, y0, y1;  /* data range */
    double left, top, w, h; /* plot area, px */
    int width, height;      /* the whole svg, px */
} kh_plot_t;

/* Opens an <svg> of width x height with the plot area inside the margins;
 * the data range must be set before drawing. `label` is its aria-label. */
void kh_svg_open(kh_plot_t *p, FILE *f, int width, int height, double left, double right, double top,
                 double bottom, const char *label);

/* Closes the <svg>. */
void kh_svg_close(const kh_plot_t *p);

/* Data to px. */
double kh_svg_x(const kh_plot_t *p, double x);
double kh_svg_y(const kh_plot_t *p, double y);

/* A step of 1, 2 or 5 times a power of ten giving about `ticks` ticks. */
double kh_svg_nice_step(double range, int ticks);

/* Grid, ticks and axis titles. Year axes tick every year (every second one
 * beyond 12 years); shares tick as percentages. */
void kh_svg_axes(const kh_plot_t *p, kh_axis_t xax, kh_axis_t yax, const char *xtitle,
                 const char *ytitle);

/* A note across the plot that nothing could be drawn. */
void kh_svg_empty(const kh_plot_t *p);

/* A label at the right end of a line: its text, colour and the y (px) of
 * the line's last point. */
typedef struct {
    const char *text;
    const char *color;
    double y;
    int bold;
    double from_x;         /* where a leader starts (a point's x); 0: just left of x */
} kh_svg_label_t;

/* The room (px) that end labels with these texts need right of the x
 * given to kh_svg_end_labels(): the widest text (bold[i] for bold; bold may
 * be NULL) and the gaps. A chart sets its right margin to at least this. */
double kh_svg_end_labels_room(const char *const *texts, const int *bold, size_t n);

/* Writes the labels to the right of x (px), each as close to its y as it
 * can be while no two come closer than one line of text; a label moved
 * away from its line (or placed away from its point, from_x) gets a thin
 * leader. A label wider than the room left in the svg is shortened with
 * "…" and shows its whole text as a tooltip. Reorders `labels`. */
void kh_svg_end_labels(const kh_plot_t *p, double x, kh_svg_label_t *labels, size_t n);

#endif
