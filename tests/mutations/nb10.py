"""Wrong answers to notebook 10's exercises, each with the diagnosis its self-check must give."""

MUTATIONS = {
    1: [  # forward_sample
        ("return a * x0 + (1 - a) * eps", "leave out the square roots"),
        ("return ops.sqrt(a) * x0 + (1 - a) * eps", "scale the noise by the variance"),
        ("return ops.sqrt(1 - a) * x0 + ops.sqrt(a) * eps", "swap the two scales"),
        ("return x0 + ops.sqrt(1 - a) * eps", "leave x0 at full size"),
    ],
    2: [  # epsilon_loss
        # A slip the self-checks must name: a sum over the coordinates where the mean belongs.
        ("x_t = forward_sample(x0, t, eps)\nreturn ops.mean(ops.sum(ops.square(predict(x_t, t) - eps), axis=-1))",
         "sums each example's squared errors over its coordinates"),
        ("x_t = forward_sample(x0, t, eps)\nreturn ops.mean(ops.square(predict(x_t, t) - x0))", "compare the guess with x0"),
        ("return ops.mean(ops.square(predict(x0, t) - eps))", "give the network the clean x0"),
        ("return ops.mean(ops.square(predict(eps, t) - eps))", "give the network the noise itself"),
        ("x_t = forward_sample(x0, t, eps)\nreturn ops.sum(ops.square(predict(x_t, t) - eps))", "sum the squared errors"),
        ("x_t = forward_sample(x0, t, eps)\nreturn ops.mean(ops.abs(predict(x_t, t) - eps))", "absolute errors"),
    ],
    3: [  # ddim_step
        ("x0_pred = x_t - np.sqrt(1 - alpha_bar_t) * eps_pred\n"
         "return np.sqrt(alpha_bar_next) * x0_pred + np.sqrt(1 - alpha_bar_next) * eps_pred",
         "divide by sqrt(alpha_bar_t)"),
        ("return (x_t - np.sqrt(1 - alpha_bar_t) * eps_pred) / np.sqrt(alpha_bar_t)", "return the guess of x_0"),
        ("x0_pred = (x_t - np.sqrt(1 - alpha_bar_next) * eps_pred) / np.sqrt(alpha_bar_next)\n"
         "return np.sqrt(alpha_bar_t) * x0_pred + np.sqrt(1 - alpha_bar_t) * eps_pred", "swap alpha_bar_t and alpha_bar_next"),
        ("x0_pred = (x_t - np.sqrt(1 - alpha_bar_t) * eps_pred) / np.sqrt(alpha_bar_t)\n"
         "return alpha_bar_next * x0_pred + (1 - alpha_bar_next) * eps_pred", "Scale by their square roots"),
        ("x0_pred = (x_t - (1 - alpha_bar_t) * eps_pred) / np.sqrt(alpha_bar_t)\n"
         "return np.sqrt(alpha_bar_next) * x0_pred + np.sqrt(1 - alpha_bar_next) * eps_pred",
         "subtract (1 - alpha_bar_t) eps"),
    ],
    4: [  # flow_loss: the regression target of flow matching
        ("x_s = (1 - s_b) * x0 + s_b * eps\nreturn ops.mean(ops.square(predict(x_s, s) - (x0 - eps)))", "x0 - eps"),
        ("x_s = (1 - s_b) * x0 + s_b * eps\nreturn ops.mean(ops.square(predict(x_s, s) - eps))", "regress the noise"),
        ("x_s = s_b * x0 + (1 - s_b) * eps\nreturn ops.mean(ops.square(predict(x_s, s) - (eps - x0)))", "swap the ends"),
        ("return ops.mean(ops.square(predict(x0, s) - (eps - x0)))", "clean x0"),
        # A slip the self-checks must name: a sum over the coordinates where the mean belongs.
        ("x_s = (1 - s_b) * x0 + s_b * eps\nreturn ops.mean(ops.sum(ops.square(predict(x_s, s) - (eps - x0)), axis=-1))",
         "the coordinates per example: a sum where a mean belongs"),
    ],
}
