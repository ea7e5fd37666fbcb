/* cli/svg.h - small SVG charts drawn by pesim for `pesim report` (no
 * plotting library, no network): a plot area with linear or log10 axes,
 * ticks and labels, and the marks the report needs (lines, bands, points,
 * bars, heatmap cells, a legend). Coordinates are data units; the plot maps
 * them. Output goes to a FILE as inline <svg> markup. */
#ifndef PESIM_CLI_SVG_H
#define PESIM_CLI_SVG_H

#include <stdio.h>

typedef struct svg_plot {
    FILE *f;
    double w, h;                    /* pixels of the whole figure */
    double left, right, top, bottom; /* margins, pixels */
    double x0, x1, y0, y1;          /* data range (log axes: the values, > 0) */
    int xlog, ylog, xcat, ycat;
    int n_legend;
} svg_plot;

/* The palette: colour i (cycled). */
const char *svg_color(int i);

/* Axis flags of svg_begin: log10 scales; category axes (no numeric ticks:
 * label them with svg_xcat / svg_ycat). */
enum { SVG_XLOG = 1, SVG_YLOG = 2, SVG_XCAT = 4, SVG_YCAT = 8 };

/* Starts a figure: <svg data-plot="id"> with a <title>, the axes, ticks and
 * their labels, width pixels wide (at least 640; 0: 640). Ranges are widened
 * when empty; log axes need positive ranges. */
void svg_begin(svg_plot *p, FILE *f, const char *id, const char *title, const char *xlabel, const char *ylabel,
               double x0, double x1, double y0, double y1, int flags, double width);
void svg_end(svg_plot *p);

/* Marks. Points outside the range are clamped to the plot area. */
void svg_line(svg_plot *p, const double *x, const double *y, int n, const char *color, double width);
/* A filled band between lo and hi along x. */
void svg_band(svg_plot *p, const double *x, const double *lo, const double *hi, int n, const char *color);
void svg_point(svg_plot *p, double x, double y, double r, const char *color, const char *tip);
/* A bar from y = base to y, centred on x, width in data units. */
void svg_bar(svg_plot *p, double x, double width, double base, double y, const char *color, const char *tip);
/* A cell [x, x + 1) x [y, y + 1) of a heatmap (category axes), filled by
 * colour scale t in [0, 1] (NaN: grey), with its text. */
void svg_cell(svg_plot *p, double x, double y, double t, const char *text, const char *tip);
/* A category label under the x axis at x, or left of the y axis at y. */
void svg_xcat(svg_plot *p, double x, const char *text);
void svg_ycat(svg_plot *p, double y, const char *text);
/* A legend entry (top right, one per call). */
void svg_legend(svg_plot *p, const char *color, const char *text);

/* Writes s with &, <, >, " escaped. */
void svg_text_escaped(FILE *f, const char *s);

#endif
