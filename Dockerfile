FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml ./
COPY . .
RUN pip install --no-cache-dir . && DUALSOURCE_COMPRESS_STATIC=true python manage.py collectstatic --noinput
EXPOSE 8000
CMD ["gunicorn", "dualsource.wsgi", "--bind", "0.0.0.0:8000", "--workers", "4"]
