/* distill.c - kld.distill(): the loss of a distillation divergence per row and its gradient with
 * respect to the student's logits, from kld_rows_distill_* with the GIL released. The logits are
 * read in place (operand.c); the gradient goes to a new numpy array, or in place to grad=, a
 * writable array or CPU tensor of the student's shape (torch's bfloat16 included: numpy has
 * none). */
#include "distill.h"

#include <float.h>
#include <math.h>
#include <string.h>

#include "kld.h"
#include "operand.h"
#include "results.h"

const char kld_py_distill_doc[] =
    "distill($module, student, teacher, *, direction='forward', temperature=1.0, "
    "grad_dtype=None, grad=None)\n--\n\n"
    "The distillation loss between the teacher's P = softmax(teacher/T) and the student's\n"
    "Q = softmax(student/T), and its gradient with respect to the student's logits, from one\n"
    "call (docs/python.md, docs/accuracy.md): direction 'forward' is KL(P||Q), gradient\n"
    "(q - p)/T; 'reverse' KL(Q||P); 'js' the Jensen-Shannon divergence. The loss is the\n"
    "divergence in nats, without Hinton's T^2 factor.\n\n"
    "student, teacher: vectors (n,) or rows (rows, n) of one dtype, float32, float64, float16\n"
    "or bfloat16 (numpy arrays, buffers, or __dlpack__ CPU tensors), read in place; -inf is a\n"
    "masked token. T is rounded to float32 (1/T as the C library takes it).\n"
    "Returns (loss, grad): loss a float for a vector, a float64 array (rows,) for rows; grad\n"
    "an array of the student's shape, float32 (float64 for float64 logits), or the input's\n"
    "dtype with grad_dtype set to it (float16: numpy; bfloat16: only into grad=). grad=, an\n"
    "array or tensor of the student's shape and of the gradient's dtype, is written in place\n"
    "and returned.";

static const char *const directions[] = {"forward", "reverse", "js"};

static int parse_direction(const char *name, kld_distill_kind *kind)
{
    for (int i = 0; i < 3; i++)
        if (strcmp(name, directions[i]) == 0) {
            *kind = (kld_distill_kind)i;
            return 0;
        }
    PyErr_Format(PyExc_ValueError, "kld: direction must be 'forward', 'reverse' or 'js', not '%s'",
                 name);
    return -1;
}

/* A dtype named by a string, a numpy type or dtype, or a torch dtype ("torch.float16"). */
static int parse_dtype(PyObject *obj, kld_py_dtype *dtype)
{
    PyObject *s = PyObject_HasAttrString(obj, "__name__") && PyType_Check(obj)
                      ? PyObject_GetAttrString(obj, "__name__")
                      : PyObject_Str(obj);
    if (!s)
        return -1;
    const char *name = PyUnicode_AsUTF8(s);
    if (name && strncmp(name, "torch.", 6) == 0)
        name += 6;
    for (int i = 0; name && i < DTYPE_COUNT; i++)
        if (strcmp(name, kld_py_dtype_names[i]) == 0) {
            *dtype = (kld_py_dtype)i;
            Py_DECREF(s);
            return 0;
        }
    if (name)
        PyErr_Format(PyExc_TypeError, "kld: grad_dtype %R is not float32, float64, float16 or "
                                      "bfloat16", obj);
    Py_DECREF(s);
    return -1;
}

/* The gradient's dtype: float32 (float64 for float64 logits) by default; else it must be that
 * or the input's own. */
static int grad_dtype_for(kld_py_dtype in, PyObject *requested, kld_py_dtype *out)
{
    *out = in == DTYPE_F64 ? DTYPE_F64 : DTYPE_F32;
    if (!requested || requested == Py_None)
        return 0;
    kld_py_dtype d;
    if (parse_dtype(requested, &d) < 0)
        return -1;
    if (d != *out && d != in) {
        PyErr_Format(PyExc_TypeError, "kld: the gradient of %s logits is %s or %s, not %s",
                     kld_py_dtype_names[in], kld_py_dtype_names[*out], kld_py_dtype_names[in],
                     kld_py_dtype_names[d]);
        return -1;
    }
    *out = d;
    return 0;
}

static PyObject *new_grad(const operand *s, kld_py_dtype dtype)
{
    if (dtype == DTYPE_BF16) {
        PyErr_SetString(PyExc_TypeError, "kld: numpy has no bfloat16: pass grad=, a "
                                         "torch.bfloat16 tensor of the student's shape");
        return NULL;
    }
    PyObject *numpy = PyImport_ImportModule("numpy");
    if (!numpy)
        return NULL;
    PyObject *shape = shape_tuple(s->ndim, s->shape);
    PyObject *grad = shape ? PyObject_CallMethod(numpy, "empty", "Os", shape,
                                                 kld_py_dtype_names[dtype])
                           : NULL;
    Py_XDECREF(shape);
    Py_DECREF(numpy);
    return grad;
}

/* The row stride (in elements) that the rows kernels take for op: (n,) or (rows, n) with the
 * vocabulary contiguous and rows at a non-negative stride of at least n elements; anything else
 * is refused (kld.torch flattens (..., V) to rows before it calls). */
static int rows_ld(const operand *op, const char *name, size_t *ld)
{
    *ld = op->n;
    if (op->ndim > 2) {
        PyErr_Format(PyExc_ValueError, "kld.distill: %s has %d dimensions; it takes (n,) or "
                     "(rows, n) (kld.torch.distill takes (..., n))", name, op->ndim);
        return -1;
    }
    Py_ssize_t stride = op->ndim == 2 ? op->lead_strides[0] : 0,
               item = kld_py_itemsizes[op->dtype];
    if (op->strided || (op->rows > 1 && (stride < 0 || (size_t)(stride / item) < op->n))) {
        PyErr_Format(PyExc_ValueError, "kld.distill: %s's rows are not laid out one after "
                     "another with a contiguous vocabulary; pass a contiguous copy", name);
        return -1;
    }
    if (op->rows > 1)
        *ld = (size_t)(stride / item);
    return 0;
}

static int same_shape(const operand *x, const operand *y)
{
    if (x->ndim != y->ndim)
        return 0;
    for (int d = 0; d < x->ndim; d++)
        if (x->shape[d] != y->shape[d])
            return 0;
    return 1;
}

/* grad is the student's shape and the gradient's dtype, writable. */
static int check_grad(const operand *s, const operand *g, kld_py_dtype dtype)
{
    if (g->dtype != dtype) {
        PyErr_Format(PyExc_TypeError, "kld: grad is %s; the gradient here is %s",
                     kld_py_dtype_names[g->dtype], kld_py_dtype_names[dtype]);
        return -1;
    }
    if (!same_shape(g, s)) {
        PyErr_SetString(PyExc_ValueError, "kld: grad must have the student's shape");
        return -1;
    }
    if (g->view.obj && g->view.readonly) {
        PyErr_SetString(PyExc_ValueError, "kld: grad is read-only");
        return -1;
    }
    return 0;
}

typedef struct {
    const operand *s, *t, *g;
    size_t lds, ldt, ldg; /* rows_ld's */
    float temperature;
    kld_distill_kind kind;
    double *loss;
} distill_call;

static void run(const distill_call *c)
{
    const operand *s = c->s, *t = c->t, *g = c->g;
    void *out = (void *)g->data;
    size_t rows = s->rows, n = s->n;
    int native = g->dtype != DTYPE_F32;
    switch (s->dtype) {
    case DTYPE_F32:
        kld_rows_distill_f32(s->data, t->data, rows, n, c->lds, c->ldt, c->temperature, c->kind,
                             c->loss, out, c->ldg);
        break;
    case DTYPE_F64:
        kld_rows_distill_f64(s->data, t->data, rows, n, c->lds, c->ldt, c->temperature, c->kind,
                             c->loss, out, c->ldg);
        break;
    case DTYPE_F16:
        if (native)
            kld_rows_distill_native_f16(s->data, t->data, rows, n, c->lds, c->ldt, c->temperature,
                                        c->kind, c->loss, out, c->ldg);
        else
            kld_rows_distill_f16(s->data, t->data, rows, n, c->lds, c->ldt, c->temperature,
                                 c->kind, c->loss, out, c->ldg);
        break;
    default:
        if (native)
            kld_rows_distill_native_bf16(s->data, t->data, rows, n, c->lds, c->ldt, c->temperature,
                                         c->kind, c->loss, out, c->ldg);
        else
            kld_rows_distill_bf16(s->data, t->data, rows, n, c->lds, c->ldt, c->temperature,
                                  c->kind, c->loss, out, c->ldg);
    }
}

static int check_pair(const operand *s, const operand *t)
{
    if (s->dtype != t->dtype) {
        PyErr_Format(PyExc_TypeError, "kld: student is %s and teacher is %s; distill() needs "
                                      "both of one dtype",
                     kld_py_dtype_names[s->dtype], kld_py_dtype_names[t->dtype]);
        return -1;
    }
    if (!same_shape(s, t)) {
        PyObject *a = shape_str(s->ndim, s->shape), *b = a ? shape_str(t->ndim, t->shape) : NULL;
        if (b)
            PyErr_Format(PyExc_ValueError, "kld: student has shape %U and teacher has shape "
                                           "%U; distill() needs the same shape", a, b);
        Py_XDECREF(a);
        Py_XDECREF(b);
        return -1;
    }
    return 0;
}

/* Runs the kernel once the operands are checked; returns (loss, grad). */
static PyObject *distill_operands(const operand *s, const operand *t, PyObject *grad_obj,
                                  kld_py_dtype grad_dtype, float temperature,
                                  kld_distill_kind kind)
{
    operand g;
    PyObject *loss_obj = NULL, *result = NULL;
    if (operand_get(grad_obj, "grad", -1, &g) < 0)
        return NULL;
    double one = 0.0, *loss = &one;
    size_t lds, ldt, ldg;
    if (check_grad(s, &g, grad_dtype) == 0 && rows_ld(s, "student", &lds) == 0 &&
        rows_ld(t, "teacher", &ldt) == 0 && rows_ld(&g, "grad", &ldg) == 0 &&
        (s->ndim == 1 ||
         (loss_obj = result_array(s->lead_ndim, s->lead_shape, 0, (void **)&loss)))) {
        distill_call c = {s, t, &g, lds, ldt, ldg, temperature, kind, loss};
        Py_BEGIN_ALLOW_THREADS
        run(&c);
        Py_END_ALLOW_THREADS
        if (s->ndim == 1)
            loss_obj = PyFloat_FromDouble(one);
        if (loss_obj)
            result = PyTuple_Pack(2, loss_obj, grad_obj);
    }
    Py_XDECREF(loss_obj);
    operand_release(&g);
    return result;
}

PyObject *kld_py_distill(PyObject *module, PyObject *args, PyObject *kwargs)
{
    (void)module;
    static char *keywords[] = {"student", "teacher", "direction", "temperature",
                               "grad_dtype", "grad", NULL};
    PyObject *student, *teacher, *grad_dtype_obj = NULL, *grad_obj = NULL;
    const char *direction = "forward";
    double temperature = 1.0;
    kld_distill_kind kind;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OO|$sdOO:distill", keywords, &student,
                                     &teacher, &direction, &temperature, &grad_dtype_obj,
                                     &grad_obj) ||
        parse_direction(direction, &kind) < 0)
        return NULL;
    /* beyond float's range T is an infinity, which gives NaN as any invalid T (kld.h) */
    float t32 = fabs(temperature) > FLT_MAX ? (float)copysign(INFINITY, temperature)
                                            : (float)temperature;
    operand s, t;
    if (operand_get(student, "student", -1, &s) < 0)
        return NULL;
    if (operand_get(teacher, "teacher", -1, &t) < 0) {
        operand_release(&s);
        return NULL;
    }
    PyObject *result = NULL, *grad = NULL;
    kld_py_dtype grad_dtype;
    if (check_pair(&s, &t) == 0 && grad_dtype_for(s.dtype, grad_dtype_obj, &grad_dtype) == 0) {
        if (grad_obj && grad_obj != Py_None) {
            grad = grad_obj;
            Py_INCREF(grad);
        } else {
            grad = new_grad(&s, grad_dtype);
        }
        if (grad)
            result = distill_operands(&s, &t, grad, grad_dtype, t32, kind);
    }
    Py_XDECREF(grad);
    operand_release(&t);
    operand_release(&s);
    return result;
}
