"""CartPole with REINFORCE in numpy, tracked and decided by modelctl.

Trains two versions of a linear softmax policy on Gymnasium's CartPole-v1 (numpy only: no GPU, no deep-learning
framework), logs every episode's return, registers both versions with their returns on 50 evaluation episodes
under fixed seeds as evaluation samples (the seed is the unit id), compares them with the server's paired t-test on
those seeds, runs a short A/B test with simulated traffic (each unit is one episode played by the arm that serves
it) and promotes the winner.

``MODELCTL_URL=… MODELCTL_TOKEN=… python examples/python/cartpole.py`` (an admin token: it promotes).
"""

from __future__ import annotations

import os
from typing import Any

import gymnasium as gym
import numpy as np
from numpy.typing import NDArray

import modelctl
from modelctl import ExperimentType, ModelStatus

MODEL = os.environ.get("EXAMPLE_MODEL", "cartpole-policy")
EVAL_SEEDS = list(range(10_000, 10_050))
EVAL_SET = "cartpole-v1-seeds"
AB_HOURS = float(os.environ.get("CARTPOLE_AB_HOURS", "0.005"))  # 18 s of simulated traffic by default
AB_UNITS = int(os.environ.get("CARTPOLE_AB_UNITS", "200"))

Weights = NDArray[np.float64]


def action_probabilities(weights: Weights, state: NDArray[np.float64]) -> NDArray[np.float64]:
    logits = state @ weights
    logits -= logits.max()
    exp = np.exp(logits)
    probabilities: NDArray[np.float64] = exp / exp.sum()
    return probabilities


def play(env: gym.Env[Any, Any], weights: Weights, seed: int, rng: np.random.Generator) -> float:
    """One episode with the policy sampling its actions; returns the episode's return."""
    state, _ = env.reset(seed=seed)
    total, done = 0.0, False
    while not done:
        action = int(rng.choice(2, p=action_probabilities(weights, state)))
        state, reward, terminated, truncated, _ = env.step(action)
        total += float(reward)
        done = terminated or truncated
    return total


def train(run: modelctl.Run, episodes: int, lr: float, seed: int, gamma: float = 0.99) -> Weights:
    """REINFORCE (Williams 1992): discounted returns, normalised per episode as the baseline; logs each return."""
    env = gym.make("CartPole-v1")
    rng = np.random.default_rng(seed)
    weights = rng.normal(0, 0.01, size=(4, 2))
    for episode in range(episodes):
        state, _ = env.reset(seed=seed * 100_000 + episode)
        grads, rewards, done = [], [], False
        while not done:
            p = action_probabilities(weights, state)
            action = int(rng.choice(2, p=p))
            # d log pi(a|s) / dW for a linear softmax policy: outer(s, onehot(a) - p).
            grads.append(np.outer(state, np.eye(2)[action] - p))
            state, reward, terminated, truncated, _ = env.step(action)
            rewards.append(float(reward))
            done = terminated or truncated
        discounted = np.zeros(len(rewards))
        running = 0.0
        for t in reversed(range(len(rewards))):
            running = rewards[t] + gamma * running
            discounted[t] = running
        advantages = (discounted - discounted.mean()) / (discounted.std() + 1e-8)
        for grad, advantage in zip(grads, advantages, strict=True):
            weights += lr * advantage * grad
        run.log({"episode_return": float(sum(rewards))}, step=episode)
    env.close()
    return weights


def evaluate(weights: Weights) -> list[float]:
    env = gym.make("CartPole-v1")
    returns = [play(env, weights, seed, np.random.default_rng(seed)) for seed in EVAL_SEEDS]
    env.close()
    return returns


def main() -> None:
    registry = modelctl.create_versioning_system()
    versions: list[dict[str, object]] = []
    weights_of: dict[str, Weights] = {}
    for episodes, lr in ((60, 0.01), (300, 0.01)):
        config = {"algorithm": "REINFORCE", "episodes": episodes, "lr": lr, "policy": "linear-softmax"}
        with registry.track_experiment(f"cartpole-{episodes}", ExperimentType.TRAINING, config=config) as run:
            weights = train(run, episodes, lr, seed=1)
        returns = evaluate(weights)
        mean_return = float(np.mean(returns))
        # Each evaluation episode is one unit of the evaluation set, named by its seed: both versions play the same
        # seeds, so the server compares them with a paired test.
        version = registry.save_model_version(
            model_obj=weights.tobytes(),
            model_name=MODEL,
            config=config,
            metrics={"mean_return": mean_return},
            experiment_id=run,
            status=ModelStatus.VALIDATION,
            media_type="application/x-numpy-float64",
            eval_samples={"return": returns},
            eval_units=EVAL_SEEDS,
            eval_set=EVAL_SET,
        )
        versions.append(version)
        weights_of[str(version["version"])] = weights
        print(f"{MODEL}@{version['version']}: {episodes} episodes, mean evaluation return {mean_return:.1f}")

    a, b = (str(v["version"]) for v in versions)
    [paired] = registry.compare_versions(MODEL, a, b)["significance"]
    print(
        f"{paired['test']} on {paired['units']['a']} seeds: {paired['a']['mean']:.1f} -> {paired['b']['mean']:.1f}, "
        f"p = {paired['pValueAdjusted']:.4g}, {paired['verdict']}"
    )

    registry.promote(MODEL, versions[0], reason="first policy")
    test = registry.run_ab_test(
        test_name=f"{MODEL}-ab",
        model_a_version=versions[0],
        model_b_version=versions[1],
        traffic_split={"model_a": 0.5, "model_b": 0.5},
        duration_hours=AB_HOURS,
        metric="episode_return",
        metric_kind="continuous",
    )
    env = gym.make("CartPole-v1")
    for unit in range(AB_UNITS):
        served = test.assign(f"episode-{unit}")
        test.record({served.unit_id: play(env, weights_of[served.version], 50_000 + unit, np.random.default_rng(unit))})
    env.close()
    result = test.result(wait=True)
    assert result is not None
    print(f"A/B test {test.id}: decision {result['decision']}")
    winner = b if result["decision"] == "treatment" else a
    promoted = registry.promote(MODEL, winner, reason=f"A/B test {test.id}: {result['decision']}")
    print(f"production: {MODEL}@{promoted['version']} ({promoted['outcome']})")


if __name__ == "__main__":
    main()
