"""Command line for developers and staff: `python -m bot --help`."""

from __future__ import annotations

import signal
import time

import typer

from bot.commands.feedback import feedback_app
from bot.commands.handoff import handoff_app
from bot.commands.stats import privacy_app, stats_cmd
from bot.endpoints import write_endpoints
from bot.knowledge.commands import kb_app
from bot.nlu_data import nlu_app
from bot.stack import Stack, StackConfig, StackError, train

app = typer.Typer(
    help="The commune assistant: run it, train it, look after its data.", no_args_is_help=True
)
app.add_typer(kb_app, name="kb")
app.add_typer(feedback_app, name="feedback")
app.add_typer(handoff_app, name="handoff")
app.add_typer(privacy_app, name="privacy")
app.command("stats")(stats_cmd)
app.add_typer(nlu_app, name="nlu")


@app.command("render-endpoints")
def render_endpoints_cmd() -> None:
    """Write endpoints.yml for the state backend chosen by REDIS_URL."""
    c = StackConfig()
    write_endpoints(c.endpoints_path, c.endpoints())
    typer.echo(f"wrote {c.endpoints_path} ({'Redis' if c.redis_url else 'SQLite'} state)")


@app.command("train")
def train_cmd() -> None:
    """Train the Rasa model unless one matches the current data and config."""
    model = train(StackConfig())
    typer.echo(f"model: {model}")


@app.command("run")
def run_cmd(skip_train: bool = typer.Option(False, help="Use the latest model as it is.")) -> None:
    """Train if needed, start Rasa, the action server and the gateway; Ctrl-C stops all."""
    config = StackConfig()
    model = None if skip_train else train(config)
    backend = "Redis " + config.redis_url.split("@")[-1] if config.redis_url else "SQLite (var/)"
    typer.echo(
        f"Starting {config.rasa_count} Rasa process(es) from :{config.rasa_port}, "
        f"{config.action_count} action server(s) from :{config.action_port}, "
        f"gateway :{config.gateway_port}; state: {backend}. Logs: {config.log_dir}/"
    )
    if reason := config.single_rasa_reason():
        typer.echo(f"Note: {reason}.", err=True)
    stack = Stack(config)
    stopping = False

    def on_signal(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        stack.start(model)
    except StackError as err:
        typer.echo(f"Could not start the assistant:\n{err}", err=True)
        raise typer.Exit(1) from err
    typer.echo(
        f"\nThe assistant is ready. Chat with it:\n"
        f"  curl -s -XPOST {config.gateway_url}/api/chat -H 'Content-Type: application/json' "
        f'-d \'{{"text":"Làm giấy khai sinh cần gì?"}}\'\n'
        f"Health: {config.gateway_url}/healthz   Stop: Ctrl-C"
    )
    try:
        while not stopping:
            for name, proc in stack.processes.items():
                if proc.poll() is not None:
                    typer.echo(f"{name} stopped unexpectedly:\n{stack.log_tail(name)}", err=True)
                    stopping = True
                    break
            time.sleep(0.5)
    finally:
        typer.echo("Stopping...")
        stack.stop()
