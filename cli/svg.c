/* cli/svg.c - SVG charts for `pesim report` (see svg.h). */
#include <math.h>
#include <string.h>

#include "svg.h"

static const char *const palette[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                                      "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"};

const char *svg_color(int i)
{
    int n = (int)(sizeof palette / sizeof palette[0]);
    return palette[((i % n) + n) % n];
}

void svg_text_escaped(FILE *f, const char *s)
{
    for (; s && *s; s++)
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*s, f);
        }
}

static double tr(double v, int lg) { return lg ? log10(v > 1e-300 ? v : 1e-300) : v; }

static double px(const svg_plot *p, double x)
{
    double a = tr(p->x0, p->xlog), b = tr(p->x1, p->xlog), t = (tr(x, p->xlog) - a) / (b - a);
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    return p->left + t * (p->w - p->left - p->right);
}

static double py(const svg_plot *p, double y)
{
    double a = tr(p->y0, p->ylog), b = tr(p->y1, p->ylog), t = (tr(y, p->ylog) - a) / (b - a);
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    return p->h - p->bottom - t * (p->h - p->top - p->bottom);
}

/* Widens [*a, *b] when empty or not finite. */
static void widen(double *a, double *b, int lg)
{
    if (!isfinite(*a) || !isfinite(*b) || (lg && (*a <= 0 || *b <= 0))) {
        *a = lg ? 1 : 0, *b = lg ? 10 : 1;
        return;
    }
    if (*a > *b) {
        double t = *a;
        *a = *b, *b = t;
    }
    if (*a == *b) {
        if (lg)
            *a /= 2, *b *= 2;
        else
            *a -= *a != 0 ? fabs(*a) * 0.5 : 0.5, *b += *b != 0 ? fabs(*b) * 0.5 : 0.5;
    }
}

/* A tick's value with enough digits to tell it from its neighbours `step` away. */
static void tick_label(char *buf, size_t n, double v, double step)
{
    double a = fabs(v);
    int digits = 2;
    if (a > 0 && step > 0 && a / step >= 1)
        digits = (int)ceil(log10(a / step)) + 1;
    digits = digits < 2 ? 2 : digits > 10 ? 10 : digits;
    if (a != 0 && (a >= 1e5 || a < 1e-3))
        snprintf(buf, n, "%.*e", digits - 1, v);
    else
        snprintf(buf, n, "%.*g", digits > 4 ? digits : 4, v);
}

/* Ticks of one axis: log: the powers of ten in range (or the ends); linear:
 * about 5 at a 1-2-5 step. */
static void ticks(svg_plot *p, int yaxis)
{
    double a = yaxis ? p->y0 : p->x0, b = yaxis ? p->y1 : p->x1;
    int lg = yaxis ? p->ylog : p->xlog;
    double v[16], st = 0;
    int n = 0;
    if (lg) {
        for (double e = ceil(log10(a)); e <= floor(log10(b)) && n < 16; e++)
            v[n++] = pow(10, e);
        if (n < 2)
            n = 0, v[n++] = a, v[n++] = b;
    } else {
        double raw = (b - a) / 5, mag = pow(10, floor(log10(raw)));
        st = mag;
        if (raw / mag > 5)
            st = 10 * mag;
        else if (raw / mag > 2)
            st = 5 * mag;
        else if (raw / mag > 1)
            st = 2 * mag;
        for (double t = ceil(a / st) * st; t <= b + st * 1e-9 && n < 16; t += st)
            v[n++] = fabs(t) < st * 1e-9 ? 0 : t;
    }
    char buf[32];
    for (int i = 0; i < n; i++) {
        tick_label(buf, sizeof buf, v[i], lg ? v[i] : st);
        if (yaxis) {
            double y = py(p, v[i]);
            fprintf(p->f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>", p->left, y,
                    p->w - p->right, y);
            fprintf(p->f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" font-size=\"11\">%s</text>\n",
                    p->left - 4, y + 4, buf);
        } else {
            double x = px(p, v[i]);
            fprintf(p->f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>", x, p->top, x,
                    p->h - p->bottom);
            fprintf(p->f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"11\">%s</text>\n", x,
                    p->h - p->bottom + 14, buf);
        }
    }
}

void svg_begin(svg_plot *p, FILE *f, const char *id, const char *title, const char *xlabel, const char *ylabel,
               double x0, double x1, double y0, double y1, int flags, double width)
{
    memset(p, 0, sizeof *p);
    p->f = f;
    p->w = width > 640 ? width : 640, p->h = 400;
    p->left = (flags & SVG_YCAT) ? 150 : 88, p->right = 20, p->top = 30, p->bottom = (flags & SVG_XCAT) ? 90 : 45;
    p->xlog = (flags & SVG_XLOG) != 0, p->ylog = (flags & SVG_YLOG) != 0;
    p->xcat = (flags & SVG_XCAT) != 0, p->ycat = (flags & SVG_YCAT) != 0;
    widen(&x0, &x1, p->xlog);
    widen(&y0, &y1, p->ylog);
    p->x0 = x0, p->x1 = x1, p->y0 = y0, p->y1 = y1;
    fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" data-plot=\"");
    svg_text_escaped(f, id);
    fprintf(f, "\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" font-family=\"sans-serif\">\n<title>",
            p->w, p->h, p->w, p->h);
    svg_text_escaped(f, title);
    fprintf(f, "</title>\n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
    fprintf(f, "<text x=\"%.1f\" y=\"18\" text-anchor=\"middle\" font-size=\"14\">", p->w / 2);
    svg_text_escaped(f, title);
    fputs("</text>\n", f);
    if (!p->xcat)
        ticks(p, 0);
    if (!p->ycat)
        ticks(p, 1);
    fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"#333\"/>\n", p->left,
            p->top, p->w - p->left - p->right, p->h - p->top - p->bottom);
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"12\">",
            p->left + (p->w - p->left - p->right) / 2, p->h - 6);
    svg_text_escaped(f, xlabel);
    fprintf(f, "</text>\n<text x=\"12\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"12\" "
               "transform=\"rotate(-90 12 %.1f)\">",
            p->top + (p->h - p->top - p->bottom) / 2, p->top + (p->h - p->top - p->bottom) / 2);
    svg_text_escaped(f, ylabel);
    fputs("</text>\n", f);
}

void svg_end(svg_plot *p) { fputs("</svg>\n", p->f); }

void svg_line(svg_plot *p, const double *x, const double *y, int n, const char *color, double width)
{
    if (n <= 0)
        return;
    fprintf(p->f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"%.1f\" points=\"", color, width);
    for (int i = 0; i < n; i++)
        fprintf(p->f, "%s%.1f,%.1f", i ? " " : "", px(p, x[i]), py(p, y[i]));
    fputs("\"/>\n", p->f);
}

void svg_band(svg_plot *p, const double *x, const double *lo, const double *hi, int n, const char *color)
{
    if (n <= 0)
        return;
    fprintf(p->f, "<polygon fill=\"%s\" fill-opacity=\"0.18\" stroke=\"none\" points=\"", color);
    for (int i = 0; i < n; i++)
        fprintf(p->f, "%.1f,%.1f ", px(p, x[i]), py(p, hi[i]));
    for (int i = n - 1; i >= 0; i--)
        fprintf(p->f, "%.1f,%.1f ", px(p, x[i]), py(p, lo[i]));
    fputs("\"/>\n", p->f);
}

static void tip_of(FILE *f, const char *tip)
{
    if (tip && tip[0]) {
        fputs("<title>", f);
        svg_text_escaped(f, tip);
        fputs("</title>", f);
    }
}

void svg_point(svg_plot *p, double x, double y, double r, const char *color, const char *tip)
{
    fprintf(p->f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"%s\" fill-opacity=\"0.75\">", px(p, x), py(p, y),
            r, color);
    tip_of(p->f, tip);
    fputs("</circle>\n", p->f);
}

void svg_bar(svg_plot *p, double x, double width, double base, double y, const char *color, const char *tip)
{
    double xa = px(p, x - width / 2), xb = px(p, x + width / 2), ya = py(p, base), yb = py(p, y);
    fprintf(p->f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\">", xa, ya < yb ? ya : yb,
            xb - xa, fabs(yb - ya), color);
    tip_of(p->f, tip);
    fputs("</rect>\n", p->f);
}

void svg_cell(svg_plot *p, double x, double y, double t, const char *text, const char *tip)
{
    double xa = px(p, x), xb = px(p, x + 1), ya = py(p, y + 1), yb = py(p, y);
    char fill[16];
    if (isnan(t)) {
        snprintf(fill, sizeof fill, "#cccccc");
    } else { /* light yellow (best, t = 0) to dark blue (worst, t = 1) */
        t = t < 0 ? 0 : t > 1 ? 1 : t;
        int r = (int)(255 - t * (255 - 8)), g = (int)(247 - t * (247 - 48)), b = (int)(188 + t * (107 - 188));
        snprintf(fill, sizeof fill, "#%02x%02x%02x", r, g, b);
    }
    fprintf(p->f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" stroke=\"white\">", xa, ya,
            xb - xa, yb - ya, fill);
    tip_of(p->f, tip);
    fputs("</rect>\n", p->f);
    if (text && text[0]) {
        fprintf(p->f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"10\" fill=\"%s\">",
                (xa + xb) / 2, (ya + yb) / 2 + 3, !isnan(t) && t > 0.55 ? "white" : "black");
        svg_text_escaped(p->f, text);
        fputs("</text>\n", p->f);
    }
}

void svg_xcat(svg_plot *p, double x, const char *text)
{
    double cx = px(p, x), cy = p->h - p->bottom + 12;
    fprintf(p->f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" font-size=\"10\" transform=\"rotate(-35 %.1f %.1f)\">",
            cx, cy, cx, cy);
    svg_text_escaped(p->f, text);
    fputs("</text>\n", p->f);
}

void svg_ycat(svg_plot *p, double y, const char *text)
{
    fprintf(p->f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" font-size=\"10\">", p->left - 4, py(p, y) + 3);
    svg_text_escaped(p->f, text);
    fputs("</text>\n", p->f);
}

void svg_legend(svg_plot *p, const char *color, const char *text)
{
    double x = p->w - p->right - 170, y = p->top + 12 + 15 * p->n_legend++;
    fprintf(p->f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"10\" height=\"10\" fill=\"%s\"/>", x, y - 9, color);
    fprintf(p->f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\">", x + 14, y);
    svg_text_escaped(p->f, text);
    fputs("</text>\n", p->f);
}
