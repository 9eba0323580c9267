"""The JAX reference for `scoredyn bench`: the default score network and its training
step, written the same way as scoredyn's (src/score/model.rs, losses.rs, train.rs), so
that `scripts/bench.sh` can print scoredyn / JAX from one sitting on one machine.

Network: x (d = 3) and 8 random Fourier features of t (sin and cos: 16 inputs) -> width
x depth SiLU layers -> d, the sigma-scaled score. Loss: denoising score matching on the
VP SDE (beta 0.1 .. 20), |f(x_t, t) + z|^2 summed over coordinates, mean over the batch,
t ~ U(1e-5, 1). Optimiser: per-tensor gradient-norm clipping at 1, Adam (lr 2e-3), and
an EMA of the weights (decay min(0.999, (1 + s) / (10 + s))), all inside the jitted
step, as scoredyn does them every step. Data: standard normal rows (the cost of a step
does not depend on them).

  python bench/jax_dsm.py --width 128 --batch 256 --steps 1000 --rounds 3
prints one JSON line: {"width", "depth", "batch", "steps_per_second" (median of the
rounds), "rounds": [...], "devices": ..., "threads": ...}.
"""
import argparse
import json
import os
import time

import jax
import jax.numpy as jnp
import optax


def init(key, d, width, depth, features):
    keys = jax.random.split(key, depth + 2)
    freqs = 2 * jnp.pi * 16.0 * jax.random.normal(keys[0], (1, features))
    sizes = [d + 2 * features] + [width] * depth + [d]
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        bound = 1.0 / jnp.sqrt(a)
        w = jax.random.uniform(keys[i + 1], (a, b), minval=-bound, maxval=bound)
        layers.append({"w": w, "b": jnp.zeros((b,))})
    return freqs, layers


def forward(layers, freqs, x, t):
    proj = t * freqs
    h = jnp.concatenate([x, jnp.sin(proj), jnp.cos(proj)], axis=1)
    for i, layer in enumerate(layers):
        h = h @ layer["w"] + layer["b"]
        if i < len(layers) - 1:
            h = jax.nn.silu(h)
    return h


def vp_marginal(t, beta_min=0.1, beta_max=20.0):
    log_mean = -0.25 * t * t * (beta_max - beta_min) - 0.5 * t * beta_min
    return jnp.exp(log_mean), jnp.sqrt(-jnp.expm1(2.0 * log_mean))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--width", type=int, default=128)
    p.add_argument("--depth", type=int, default=3)
    p.add_argument("--batch", type=int, default=256)
    p.add_argument("--steps", type=int, default=1000)
    p.add_argument("--rounds", type=int, default=3)
    a = p.parse_args()
    d, features = 3, 8
    key = jax.random.PRNGKey(0)
    freqs, params = init(key, d, a.width, a.depth, features)
    data = jax.random.normal(jax.random.PRNGKey(1), (10_000, d))
    opt = optax.chain(
        # Per-tensor norm clipping (burn's GradientClippingConfig::Norm), then Adam.
        optax.GradientTransformation(
            lambda _: optax.EmptyState(),
            lambda g, s, _=None: (
                jax.tree_util.tree_map(
                    lambda x: x * jnp.minimum(1.0, 1.0 / (jnp.linalg.norm(x) + 1e-12)), g
                ),
                s,
            ),
        ),
        optax.adam(2e-3),
    )
    opt_state = opt.init(params)
    ema = params

    def loss_fn(params, x0, t, z):
        mean, std = vp_marginal(t)
        xt = mean * x0 + std * z
        f = forward(params, freqs, xt, t)
        return jnp.mean(jnp.sum((f + z) ** 2, axis=1))

    @jax.jit
    def step(params, opt_state, ema, key, s):
        key, k1, k2, k3 = jax.random.split(key, 4)
        idx = jax.random.randint(k1, (a.batch,), 0, data.shape[0])
        x0 = data[idx]
        t = jax.random.uniform(k2, (a.batch, 1), minval=1e-5, maxval=1.0)
        z = jax.random.normal(k3, (a.batch, d))
        loss, grads = jax.value_and_grad(loss_fn)(params, x0, t, z)
        updates, opt_state = opt.update(grads, opt_state, params)
        params = optax.apply_updates(params, updates)
        decay = jnp.minimum(0.999, (1.0 + s) / (10.0 + s))
        ema = jax.tree_util.tree_map(lambda e, p: decay * e + (1 - decay) * p, ema, params)
        return params, opt_state, ema, key, s + 1.0, loss

    # Compile and warm up; the key and the step count stay on the device.
    s = jnp.float32(0.0)
    for _ in range(20):
        params, opt_state, ema, key, s, loss = step(params, opt_state, ema, key, s)
    loss.block_until_ready()
    rates = []
    for _ in range(a.rounds):
        t0 = time.perf_counter()
        for _ in range(a.steps):
            params, opt_state, ema, key, s, loss = step(params, opt_state, ema, key, s)
        loss.block_until_ready()
        rates.append(a.steps / (time.perf_counter() - t0))
    print(json.dumps({
        "width": a.width, "depth": a.depth, "batch": a.batch,
        "steps_per_second": sorted(rates)[len(rates) // 2],
        "rounds": rates, "loss": float(loss),
        "devices": [str(x) for x in jax.devices()],
        "threads": os.cpu_count(),
    }))


if __name__ == "__main__":
    main()
