"""Sets up and checks the moto server that enforces IAM (scripts/services.sh starts it).

moto checks IAM only once told to: its server starts with authentication off, this script
creates an administrator user (inline policy "*" on "*") and writes its access key to a JSON
file, then turns authentication on for every later request (POST /moto-api/reset-auth 0).
From then on a request is allowed only when it is signed with a key of an IAM user (or an
assumed role) whose identity policies allow the action on the resource.

What moto 5 evaluates (moto/iam/access_control.py, moto/core/authorization.py): the
signature, the access key, and the Allow/Deny statements of the caller's inline, attached and
group policies, matching Action and Resource with wildcards (an explicit Deny wins). Condition
blocks are not evaluated against request values (s3:prefix and the like), and bucket policies
only by their explicit Deny on object calls; KMS permissions behind SSE-KMS are not checked.

Usage: moto-iam.py bootstrap ENDPOINT CREDENTIALS_FILE
       moto-iam.py check ENDPOINT CREDENTIALS_FILE   (exit 0 when enforcement is on and the admin key works)
"""

import json
import os
import sys
import urllib.request

import boto3
from botocore.exceptions import ClientError

ADMIN_USER = "sluice-test-admin"
ADMIN_POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def client(service, endpoint, key=None):
    credentials = key or {"AccessKeyId": "bootstrap", "SecretAccessKey": "bootstrap"}
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
    )


def reset_auth(endpoint, count):
    # A text body: moto reads the raw data, which a form content type would hide.
    request = urllib.request.Request(
        f"{endpoint}/moto-api/reset-auth",
        data=str(count).encode(),
        method="POST",
        headers={"Content-Type": "text/plain"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        response.read()


def bootstrap(endpoint, path):
    # Authentication off while the administrator is created (a rerun finds it and gives it a new key).
    reset_auth(endpoint, "inf")
    iam = client("iam", endpoint)
    try:
        iam.create_user(UserName=ADMIN_USER)
    except ClientError as error:
        if error.response["Error"]["Code"] != "EntityAlreadyExists":
            raise
    iam.put_user_policy(UserName=ADMIN_USER, PolicyName="admin", PolicyDocument=json.dumps(ADMIN_POLICY))
    key = iam.create_access_key(UserName=ADMIN_USER)["AccessKey"]
    temp = f"{path}.tmp"
    with open(os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as out:
        json.dump({"AccessKeyId": key["AccessKeyId"], "SecretAccessKey": key["SecretAccessKey"]}, out)
    os.replace(temp, path)
    reset_auth(endpoint, 0)
    check(endpoint, path)


def check(endpoint, path):
    with open(path) as file:
        key = json.load(file)
    client("s3", endpoint, key).list_buckets()
    try:
        client("s3", endpoint).list_buckets()
    except ClientError as error:
        if error.response["Error"]["Code"] == "InvalidAccessKeyId":
            return
        raise
    raise SystemExit("moto accepted an unknown access key: IAM enforcement is off")


if __name__ == "__main__":
    command, endpoint, path = sys.argv[1:4]
    {"bootstrap": bootstrap, "check": check}[command](endpoint, path)
