"""Wrong answers to notebook 03's exercises, each with the diagnosis its self-check must give."""

_LOOPS = '''for i in range(m):
    for j in range(m):
        for a in range(k):
            for b in range(k):
                {assignment}'''


def _conv_matrix(assignment):
    return _LOOPS.format(assignment=assignment)


_TRANSPOSE = '''n = len(z) + len(w) - 1
C = conv_matrix({filter}, n)
return {result}'''


def _conv_transpose(result, filter="w"):
    return _TRANSPOSE.format(result=result, filter=filter)


_SIZE = '''if padding == "valid":
    return {valid}
return {same}'''


def _size(valid="(n - 1) * s + max(k, s)", same="n * s"):
    return _SIZE.format(valid=valid, same=same)


MUTATIONS = {
    1: [  # conv_matrix: the convolution as a matrix C
        (_conv_matrix("C[m * i + j, n * (i + a) + (j + b)] = w[k - 1 - a, k - 1 - b]"), "flip the filter"),
        (_conv_matrix("C[m * i + j, n * (i + a) + (j + b)] = w[b, a]"), "swap a and b"),
        (_conv_matrix("C[m * i + j, n * (j + b) + (i + a)] = w[a, b]"), "column by column"),
    ],
    2: [  # conv_transpose_matrix: the transposed convolution as C^T (the central idea)
        (_conv_transpose("(np.linalg.pinv(C) @ z.ravel()).reshape(n, n)"), "invert C"),
        (_conv_transpose("(C.T @ z.ravel()).reshape(n, n)", filter="w[::-1, ::-1]"), "flip the filter"),
        (_conv_transpose("(C.T @ z.T.ravel()).reshape(n, n)"), "flatten z column by column"),
        (_conv_transpose('(C.T @ z.ravel()).reshape(n, n, order="F")'), "shape the result back column by column"),
        (_conv_transpose("C.T @ z.ravel()"), "flat vector"),
    ],
    3: [  # transposed_conv_output_size
        (_size(valid="(n - k) // s + 1", same="-(-n // s)"), "Conv2D's formulas"),
        (_size(valid="(n - 1) * s + k"), "narrower than the stride"),
        (_size(valid="n + k - 1", same="n"), "leave out the stride"),
        (_size(same="(n - 1) * s + max(k, s)"), "give 'same' the 'valid' size"),
    ],
}

# Mutants that pass the self-check must give the solution's outputs on these random inputs
# (an expression of rng; or (expression, rtol, atol) for a random exercise, compared in distribution).
RANDOM_CALLS = {
    3: "[transposed_conv_output_size(int(n), int(k), int(s), p) for n, k, s in rng.integers(1, 9, (20, 3)) "
       "for p in (\"valid\", \"same\")]",
}
