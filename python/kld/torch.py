"""kld.torch: distillation losses for PyTorch on kld's fused kernels (CPU tensors).

Imported on demand (`import kld.torch`); `import kld` never imports torch. See docs/python.md.

- distill(student, teacher, direction="forward", temperature=1.0, reduction="none"): the
  loss per row, a tensor of the leading shape (..., V) -> (...), or reduced; differentiable
  with respect to the student;
- DistillationLoss(direction="forward", temperature=2.0, reduction="batchmean"): the same as
  an nn.Module, with torch.nn.functional.kl_div's reductions.

The loss is the divergence between P = softmax(teacher/T) and Q = softmax(student/T), in nats,
without Hinton's T^2 factor (scale_t2=True multiplies by T^2). direction "forward" is
KL(P||Q), what F.kl_div(F.log_softmax(student/T), F.log_softmax(teacher/T), log_target=True)
computes; "reverse" is KL(Q||P); "js" the Jensen-Shannon divergence. The gradient is
computed with the loss, in the same call, and kept for the backward pass (one array of the
student's size, scaled in place by the reduction's constant in the forward, and handed back
as it is by a backward whose incoming gradient is 1, as loss.backward()'s); the teacher is a
constant (pass teacher.detach(): it gets no gradient).
"""
import torch

from . import _kld

__all__ = ["DistillFunction", "DistillationLoss", "distill"]

_DIRECTIONS = ("forward", "reverse", "js")
_REDUCTIONS = ("none", "sum", "mean", "batchmean")


def _rows(x):
    """(..., V) as contiguous CPU rows (R, V): a view when already so, else one copy."""
    if x.device.type != "cpu":
        raise ValueError("kld.torch: tensors must be on the CPU, not %s" % x.device)
    rows = x.detach().reshape(-1, x.shape[-1]) if x.dim() else x.detach().reshape(1, 1)
    return rows if rows.is_contiguous() else rows.contiguous()


class DistillFunction(torch.autograd.Function):
    """autograd for kld.distill: forward(student, teacher, direction, temperature, reduction,
    scale) -> the loss, per row (reduction "none": shape student.shape[:-1]) or reduced as
    torch.nn.functional.kl_div reduces, times scale; in the student's dtype."""

    @staticmethod
    def forward(ctx, student, teacher, direction, temperature, reduction, scale):
        if teacher.requires_grad:
            raise ValueError("kld.torch differentiates with respect to the student only: "
                             "pass teacher.detach()")
        if student.shape != teacher.shape:
            raise ValueError("kld.torch: student has shape %s and teacher %s; they must match"
                             % (tuple(student.shape), tuple(teacher.shape)))
        s, t = _rows(student), _rows(teacher)
        grad = None
        if ctx.needs_input_grad[0]:
            grad = torch.empty(s.shape, dtype=student.dtype)
            loss, _ = _kld.distill(s, t, direction=direction, temperature=temperature,
                                   grad_dtype=student.dtype, grad=grad)
        else:
            loss, _ = _kld.distill(s, t, direction=direction, temperature=temperature)
        rows = torch.from_numpy(loss).reshape(student.shape[:-1])
        if reduction != "none":  # kl_div's divisors, and the scale, folded into the gradient
            divisor = {"sum": 1, "mean": student.numel(),
                       "batchmean": student.shape[0] if student.dim() else 1}[reduction]
            scale = scale / divisor
            rows = rows.sum()
        if grad is not None and scale != 1:
            grad.mul_(scale)  # in place: a new row-sized tensor costs more than the pass
        ctx.reduced = reduction != "none"
        ctx.save_for_backward(grad.view(student.shape) if grad is not None else None)
        return (rows * scale).to(student.dtype)

    @staticmethod
    def backward(ctx, grad_output):
        (grad,) = ctx.saved_tensors
        if ctx.reduced:  # a scalar: 1 for loss.backward(), which needs no pass at all
            if bool(grad_output == 1):
                return grad, None, None, None, None, None
            return grad * grad_output.to(grad.dtype), None, None, None, None, None
        return grad * grad_output.unsqueeze(-1).to(grad.dtype), None, None, None, None, None


def distill(student, teacher, direction="forward", temperature=1.0, reduction="none"):
    """The loss between softmax(teacher/T) and softmax(student/T), per row (..., V) -> (...)
    or reduced ("sum", "mean", "batchmean": torch.nn.functional.kl_div's); differentiable
    with respect to the student."""
    if direction not in _DIRECTIONS:
        raise ValueError("kld.torch: direction must be one of %s, not %r"
                         % (", ".join(_DIRECTIONS), direction))
    if reduction not in _REDUCTIONS:
        raise ValueError("kld.torch: reduction must be one of %s, not %r"
                         % (", ".join(_REDUCTIONS), reduction))
    return DistillFunction.apply(student, teacher, direction, float(temperature), reduction, 1.0)


class DistillationLoss(torch.nn.Module):
    """A distillation loss module: loss(student_logits, teacher_logits), both (..., V).

    direction: "forward" (KL(teacher||student), Hinton's), "reverse" or "js".
    temperature: T > 0; both sides are softmaxed at T.
    reduction: as torch.nn.functional.kl_div's: "none" (the per-row losses, shape (...)),
        "sum", "mean" (the sum over the number of elements of the input, V included, as
        kl_div's "mean") or "batchmean" (the sum over input.size(0), the batch: kl_div's).
    scale_t2: multiply the loss (and so its gradient) by T^2, as Hinton et al. do.
    """

    def __init__(self, direction="forward", temperature=2.0, reduction="batchmean",
                 scale_t2=False):
        super().__init__()
        if direction not in _DIRECTIONS:
            raise ValueError("kld.torch: direction must be one of %s, not %r"
                             % (", ".join(_DIRECTIONS), direction))
        if reduction not in _REDUCTIONS:
            raise ValueError("kld.torch: reduction must be one of %s, not %r"
                             % (", ".join(_REDUCTIONS), reduction))
        self.direction, self.temperature = direction, float(temperature)
        self.reduction, self.scale_t2 = reduction, scale_t2

    def forward(self, student_logits, teacher_logits):
        scale = self.temperature ** 2 if self.scale_t2 else 1.0
        return DistillFunction.apply(student_logits, teacher_logits, self.direction,
                                     self.temperature, self.reduction, scale)

    def extra_repr(self):
        return "direction=%r, temperature=%g, reduction=%r, scale_t2=%r" % (
            self.direction, self.temperature, self.reduction, self.scale_t2)
