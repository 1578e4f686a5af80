"""Wrong answers to notebook 08's exercises, each with the diagnosis its self-check must give."""

MUTATIONS = {
    1: [  # conditional_discriminator_loss
        ("return (bce(ops.zeros_like(real_logits), real_logits)\n"
         "        + bce(ops.ones_like(fake_logits), fake_logits)\n"
         "        + bce(ops.zeros_like(mismatched_logits), mismatched_logits))", "swap real and generated"),
        ("return (bce(ops.ones_like(real_logits), real_logits)\n"
         "        + bce(ops.zeros_like(fake_logits), fake_logits)\n"
         "        + bce(ops.ones_like(mismatched_logits), mismatched_logits))", "wrong labels target 1"),
        ("return bce(ops.ones_like(real_logits), real_logits) + bce(ops.zeros_like(fake_logits), fake_logits)",
         "leave out the mismatched-label term"),
        ("return (bce(ops.ones_like(real_logits), real_logits)\n"
         "        + bce(ops.zeros_like(fake_logits), fake_logits)\n"
         "        + bce(ops.zeros_like(mismatched_logits), mismatched_logits)) / 3", "average the three terms"),
    ],
    2: [  # cyclegan_generator_loss
        ("to_b, to_a = G(a), F(b)\n"
         "adversarial = generator_loss(D_B(to_b))\n"
         "cycle = ops.mean(ops.abs(F(to_b) - a)) + ops.mean(ops.abs(G(to_a) - b))\n"
         "return adversarial + weight * cycle", "leave out F's adversarial term"),
        ("to_b, to_a = G(a), F(b)\n"
         "adversarial = generator_loss(D_B(to_b)) + generator_loss(D_A(to_a))\n"
         "cycle = ops.mean(ops.abs(F(to_b) - a)) + ops.mean(ops.abs(G(to_a) - b))\n"
         "return adversarial + cycle", "drop the weight lambda"),
        ("to_b, to_a = G(a), F(b)\n"
         "adversarial = generator_loss(D_B(to_b)) + generator_loss(D_A(to_a))\n"
         "cycle = ops.mean(ops.abs(F(to_b) - a)) + ops.mean(ops.abs(G(to_a) - b))\n"
         "return weight * adversarial + cycle", "lambda on the adversarial terms"),
        ("to_b, to_a = G(a), F(b)\n"
         "adversarial = generator_loss(D_B(to_b)) + generator_loss(D_A(to_a))\n"
         "cycle = ops.mean(ops.square(F(to_b) - a)) + ops.mean(ops.square(G(to_a) - b))\n"
         "return adversarial + weight * cycle", "squared (L2)"),
        ("to_b, to_a = G(a), F(b)\n"
         "adversarial = generator_loss(D_B(to_b)) + generator_loss(D_A(to_a))\n"
         "cycle = ops.mean(ops.abs(F(to_b) - to_b)) + ops.mean(ops.abs(G(to_a) - to_a))\n"
         "return adversarial + weight * cycle", "compare the round trip F(G(a)) with the translation"),
        ("to_b, to_a = G(a), F(b)\n"
         "adversarial = generator_loss(D_A(to_b)) + generator_loss(D_B(to_a))\n"
         "cycle = ops.mean(ops.abs(F(to_b) - a)) + ops.mean(ops.abs(G(to_a) - b))\n"
         "return adversarial + weight * cycle", "wrong discriminator"),
    ],
    3: [  # fade_in
        ("upsampled = ops.repeat(ops.repeat(old_image, 2, axis=1), 2, axis=2)\n"
         "return alpha * upsampled + (1.0 - alpha) * new_image", "alpha on the old image"),
        ("upsampled = ops.tile(old_image, (1, 2, 2, 1))\n"
         "return (1.0 - alpha) * upsampled + alpha * new_image", "tile the whole image"),
        ("upsampled = ops.repeat(ops.repeat(old_image, 2, axis=1), 2, axis=2)\n"
         "return upsampled + alpha * new_image", "forget the weight (1 - alpha)"),
    ],
}
