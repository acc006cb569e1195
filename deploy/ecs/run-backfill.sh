#!/usr/bin/env bash
# Starts a one-off backfill task: the service's task definition with SLUICE_BACKFILL_FROM
# (and SLUICE_BACKFILL_TO) set through a container override. The task runs every selected
# pipeline once over that range with its own checkpoint (never the live one), then exits 0.
# Re-running the same command after a stop resumes where it left off.
#
# Usage: deploy/ecs/run-backfill.sh FROM [TO] [PIPELINES]
#   FROM, TO    UTC date or timestamp: 2024-01-01 or 2024-01-01T06:00:00Z (TO defaults to now)
#   PIPELINES   comma-separated pipeline ids (default: all in the image's config)
# Environment (required unless noted):
#   ECS_CLUSTER          ECS cluster name
#   ECS_SUBNETS          comma-separated private subnet ids
#   ECS_SECURITY_GROUPS  comma-separated security group ids
#   ECS_TASK_DEFINITION  family[:revision] (default: sluice)
#   ECS_CONTAINER_NAME   (default: sluice)
#   AWS_REGION / AWS_PROFILE as usual for the AWS CLI
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 3 ]; then
  sed -n '2,18p' "$0" >&2
  exit 64
fi
from=$1
to=${2:-}
pipelines=${3:-}
: "${ECS_CLUSTER:?set ECS_CLUSTER to the ECS cluster name}"
: "${ECS_SUBNETS:?set ECS_SUBNETS to comma-separated subnet ids}"
: "${ECS_SECURITY_GROUPS:?set ECS_SECURITY_GROUPS to comma-separated security group ids}"
task_definition=${ECS_TASK_DEFINITION:-sluice}
container=${ECS_CONTAINER_NAME:-sluice}

# JSON string (the values are dates and ids, but quote them properly anyway).
json() { printf '"%s"' "$(printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g')"; }

environment="{\"name\":\"SLUICE_BACKFILL_FROM\",\"value\":$(json "$from")}"
if [ -n "$to" ]; then environment="$environment,{\"name\":\"SLUICE_BACKFILL_TO\",\"value\":$(json "$to")}"; fi
if [ -n "$pipelines" ]; then environment="$environment,{\"name\":\"SLUICE_PIPELINES\",\"value\":$(json "$pipelines")}"; fi
overrides="{\"containerOverrides\":[{\"name\":$(json "$container"),\"environment\":[$environment]}]}"

aws ecs run-task \
  --cluster "$ECS_CLUSTER" \
  --task-definition "$task_definition" \
  --launch-type FARGATE \
  --count 1 \
  --started-by "sluice-backfill" \
  --network-configuration "awsvpcConfiguration={subnets=[$ECS_SUBNETS],securityGroups=[$ECS_SECURITY_GROUPS],assignPublicIp=DISABLED}" \
  --overrides "$overrides" \
  --query 'tasks[0].taskArn' \
  --output text
