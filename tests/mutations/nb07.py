"""Wrong answers to notebook 07's exercises, each with the diagnosis its self-check must give.

The self-checks also name "sigmoid twice" (a sigmoid on logits before a from_logits loss), but that
mistake is not listed here: on TensorFlow, Keras's binary_crossentropy spots a tensor made by
ops.sigmoid and takes the logits back from it, so there the wrong code computes the right number.
"""

MUTATIONS = {
    1: [  # discriminator_loss
        # A slip the self-checks must name: the log of a sigmoid, which is -inf at a logit of 20.
        ("return -ops.mean(ops.log(ops.sigmoid(real_logits))) - ops.mean(ops.log(1.0 - ops.sigmoid(fake_logits)))",
         "log of a sigmoid yourself"),
        ("return bce(ops.concatenate([ops.ones_like(real_logits), ops.zeros_like(fake_logits)]), "
         "ops.concatenate([real_logits, fake_logits]))", "one bce over the real and the fake logits together"),
        ("return bce(ops.zeros_like(real_logits), real_logits) + bce(ops.ones_like(fake_logits), fake_logits)",
         "swap the labels"),
        ("return bce(ops.ones_like(real_logits), real_logits)", "leave out the generated samples' term"),
        ("return (bce(ops.ones_like(real_logits), real_logits) + bce(ops.zeros_like(fake_logits), fake_logits)) / 2",
         "average the two terms"),
    ],
    2: [  # generator_loss, non-saturating
        ("return -bce(ops.zeros_like(fake_logits), fake_logits)", "minimax (saturating)"),
        ("return ops.mean(ops.log(1.0 - ops.sigmoid(fake_logits)))", "minimax (saturating)"),
        ("return bce(ops.zeros_like(fake_logits), fake_logits)", "label the fakes 0"),
        ("return -bce(ops.ones_like(fake_logits), fake_logits)", "flip the sign"),
    ],
    3: [  # train_step, the discriminator's half
        ("def d_loss_and_logits():\n"
         "    real_logits, fake_logits = discriminator(real, training=True), discriminator(fake, training=True)\n"
         "    return discriminator_loss(fake_logits, real_logits), (real_logits, fake_logits)\n"
         "(d_loss, (real_logits, fake_logits)), grads = cu.backend.value_and_grad(\n"
         "    d_loss_and_logits, discriminator.trainable_variables, has_aux=True)\n"
         "d_optimizer.apply_gradients(zip(grads, discriminator.trainable_variables))", "swap the labels"),
        ("def d_loss_and_logits():\n"
         "    real_logits, fake_logits = discriminator(real, training=True), discriminator(fake, training=True)\n"
         "    return generator_loss(fake_logits), (real_logits, fake_logits)\n"
         "(d_loss, (real_logits, fake_logits)), grads = cu.backend.value_and_grad(\n"
         "    d_loss_and_logits, discriminator.trainable_variables, has_aux=True)\n"
         "d_optimizer.apply_gradients(zip(grads, discriminator.trainable_variables))", "the generator's loss"),
        ("d_variables = discriminator.trainable_variables + generator.trainable_variables\n"
         "def d_loss_and_logits():\n"
         "    real_logits = discriminator(real, training=True)\n"
         "    fake_logits = discriminator(generator(z, training=True), training=True)\n"
         "    return discriminator_loss(real_logits, fake_logits), (real_logits, fake_logits)\n"
         "(d_loss, (real_logits, fake_logits)), grads = cu.backend.value_and_grad(\n"
         "    d_loss_and_logits, d_variables, has_aux=True)\n"
         "d_optimizer.apply_gradients(zip(grads, d_variables))", "G's weights changed in D's step"),
    ],
    4: [  # train_step, the generator's half
        # A slip the self-checks must name: the generator called without training=True.
        ("g_loss, grads = cu.backend.value_and_grad(\n"
         "    lambda: generator_loss(discriminator(generator(z), training=True)),\n"
         "    generator.trainable_variables)\n"
         "g_optimizer.apply_gradients(zip(grads, generator.trainable_variables))", "without training=True"),
        ("g_loss, grads = cu.backend.value_and_grad(\n"
         "    lambda: saturating_generator_loss(discriminator(generator(z, training=True), training=True)),\n"
         "    generator.trainable_variables)\n"
         "g_optimizer.apply_gradients(zip(grads, generator.trainable_variables))", "minimax (saturating)"),
        ("def fooled():\n"
         "    fake_logits = discriminator(generator(z, training=True), training=True)\n"
         "    return bce(ops.zeros_like(fake_logits), fake_logits)\n"
         "g_loss, grads = cu.backend.value_and_grad(fooled, generator.trainable_variables)\n"
         "g_optimizer.apply_gradients(zip(grads, generator.trainable_variables))", "label the fakes 0"),
        ("g_variables = generator.trainable_variables + discriminator.trainable_variables\n"
         "g_loss, grads = cu.backend.value_and_grad(\n"
         "    lambda: generator_loss(discriminator(generator(z, training=True), training=True)),\n"
         "    g_variables)\n"
         "g_optimizer.apply_gradients(zip(grads, g_variables))", "D's weights changed in G's step"),
    ],
}
