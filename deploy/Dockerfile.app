# Action server and gateway image: Python 3.11 and the locked app env.
FROM python:3.11-slim
WORKDIR /app
ENV PYTHONPATH=/app PIP_DISABLE_PIP_VERSION_CHECK=1
COPY requirements/app.txt requirements/app.txt
# The CPU build of torch (dense search is optional), not the CUDA one.
RUN pip install --no-cache-dir torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu \
 && pip install --no-cache-dir -r requirements/app.txt
COPY bot bot
COPY actions actions
# knowledge/ is mounted so that staff edits reach the running action server without a rebuild.
CMD ["python", "-m", "bot.gateway"]
