"""What `!Ref` and `!GetAtt` of a resource give locally: its name, and well-formed ARNs for its type.

Choices where the reference is silent: a resource's physical name is its name property when the template sets one
(`BucketName`, `Name`...), otherwise its logical id (CloudFormation would add the stack name and a random suffix;
a stable name reads better in logs and diagnostics). `!Ref` of an SNS topic is its ARN, as in CloudFormation.
"""

from __future__ import annotations

from dataclasses import dataclass

# The property holding a resource's physical name, per type.
NAME_PROPERTIES = {
    "AWS::S3::Bucket": "BucketName",
    "AWS::SNS::Topic": "TopicName",
    "AWS::SQS::Queue": "QueueName",
    "AWS::CodeBuild::Project": "Name",
    "AWS::CodePipeline::Pipeline": "Name",
    "AWS::IAM::Role": "RoleName",
    "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
    "AWS::Lambda::Function": "FunctionName",
    "AWS::Logs::LogGroup": "LogGroupName",
    "AWS::ECR::Repository": "RepositoryName",
    "AWS::DynamoDB::Table": "TableName",
    "AWS::CodeStarConnections::Connection": "ConnectionName",
}

# `Ref` gives the ARN rather than the name for these types.
_REF_IS_ARN = {"AWS::SNS::Topic"}

# The part of the ARN after `account:`, per type; `{name}` is the physical name.
_ARN_RESOURCES = {
    "AWS::SNS::Topic": "{name}",
    "AWS::SQS::Queue": "{name}",
    "AWS::CodeBuild::Project": "project/{name}",
    "AWS::CodePipeline::Pipeline": "{name}",
    "AWS::Lambda::Function": "function:{name}",
    "AWS::Logs::LogGroup": "log-group:{name}:*",
    "AWS::ECR::Repository": "repository/{name}",
    "AWS::DynamoDB::Table": "table/{name}",
    "AWS::KMS::Key": "key/{name}",
    "AWS::CodeStarConnections::Connection": "connection/{name}",
}


@dataclass(frozen=True)
class Account:
    """The pseudo parameters an ARN is made of."""

    partition: str
    region: str
    account_id: str
    url_suffix: str


def arn(kind: str, name: str, account: Account) -> str:
    service = kind.split("::")[1].lower() if kind.count("::") == 2 else "unknown"
    prefix = f"arn:{account.partition}"
    if kind == "AWS::S3::Bucket":
        return f"{prefix}:s3:::{name}"
    if kind == "AWS::IAM::Role":
        return f"{prefix}:iam::{account.account_id}:role/{name}"
    if kind == "AWS::IAM::ManagedPolicy":
        return f"{prefix}:iam::{account.account_id}:policy/{name}"
    if kind == "AWS::CodeStarConnections::Connection":
        service = "codestar-connections"
    resource = _ARN_RESOURCES.get(kind, f"{kind.split('::')[-1].lower()}/{{name}}").format(name=name)
    return f"{prefix}:{service}:{account.region}:{account.account_id}:{resource}"


def reference(kind: str, name: str, account: Account) -> str:
    """What `!Ref` of a resource of this type gives."""
    return arn(kind, name, account) if kind in _REF_IS_ARN else name


def attribute(kind: str, name: str, attribute_name: str, account: Account) -> str | None:
    """`!GetAtt Resource.Attribute`, or None when this attribute has no local value."""
    if attribute_name == "Arn" or (kind == "AWS::SNS::Topic" and attribute_name == "TopicArn"):
        return arn(kind, name, account)
    if kind == "AWS::S3::Bucket":
        return {
            "DomainName": f"{name}.s3.{account.url_suffix}",
            "RegionalDomainName": f"{name}.s3.{account.region}.{account.url_suffix}",
            "WebsiteURL": f"http://{name}.s3-website-{account.region}.{account.url_suffix}",
        }.get(attribute_name)
    if kind == "AWS::SNS::Topic" and attribute_name == "TopicName":
        return name
    if kind == "AWS::CodePipeline::Pipeline" and attribute_name == "Version":
        return "1"
    if kind == "AWS::CodeStarConnections::Connection" and attribute_name == "ConnectionArn":
        return arn(kind, name, account)
    return None
