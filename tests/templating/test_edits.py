"""--set and --parameters: pure edits of the template before it is submitted."""

from __future__ import annotations

import json

import pytest

from aib_pilot.azure.templates import load_template
from aib_pilot.errors import UsageError
from aib_pilot.templating.edits import apply_sets, parse_path, parse_value, read_parameter_args


def body():
    return {"location": "westeurope", "tags": {"a.b": "x"},
            "properties": {"vmProfile": {"vmSize": "Standard_D2s_v3", "osDiskSizeGB": 30},
                           "source": {"type": "PlatformImage", "version": "1.0"},
                           "customize": [{"type": "Shell", "inline": ["echo 1", "echo 2"]}]}}


def test_path_grammar_keys_indexes_and_quoted_keys():
    assert parse_path('properties.customize[0].inline[1]') == ["properties", "customize", 0, "inline", 1]
    assert parse_path('tags["a.b"]') == ["tags", "a.b"]
    for bad in ("", ".properties", "properties..x", "properties[x]", "properties[0"):
        with pytest.raises(UsageError):
            parse_path(bad)


def test_values_json_when_it_parses_text_otherwise_and_text_stays_text():
    assert parse_value("4") == 4 and parse_value("true") is True and parse_value('{"k": [1]}') == {"k": [1]}
    assert parse_value("Standard_D4s_v5") == "Standard_D4s_v5"
    assert parse_value("1.2", current="1.0") == "1.2"  # a version replacing text stays text
    assert parse_value("1.2", current=None) == 1.2
    assert parse_value('"42"') == "42"  # quotes force text


def test_set_changes_existing_values_adds_a_last_key_and_indexes_lists():
    b = apply_sets(body(), ["properties.vmProfile.vmSize=Standard_D4s_v5", "properties.source.version=1.2.3",
                            "properties.customize[0].inline[1]=echo changed", "properties.vmProfile.osDiskSizeGB=64",
                            'tags["a.b"]=y', "properties.buildTimeoutInMinutes=90"])
    p = b["properties"]
    assert p["vmProfile"] == {"vmSize": "Standard_D4s_v5", "osDiskSizeGB": 64}
    assert p["source"]["version"] == "1.2.3" and p["customize"][0]["inline"] == ["echo 1", "echo changed"]
    assert b["tags"]["a.b"] == "y" and p["buildTimeoutInMinutes"] == 90


@pytest.mark.parametrize("assignment, says", [
    ("properties.vmProfil.vmSize=x", "has no key 'vmProfil'"),
    ("properties.customize[3].inline=x", "has 1 item(s), so index 3 does not exist"),
    ("properties.vmProfile[0]=x", "is not a list"),
    ("properties.customize[0].inline[5]=x", "index 5 does not exist"),
    ("name=x", "must start with one of location, identity, tags, properties"),
    ("properties.vmProfile.vmSize", "is not PATH=VALUE"),
    ("properties.source.version.major=1", "is not an object"),
])
def test_bad_paths_are_one_clear_line(assignment, says):
    with pytest.raises(UsageError) as err:
        apply_sets(body(), [assignment])
    line = err.value.one_line()
    assert says in line and "\n" not in line


ARM = {
    "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    "parameters": {"imageVersion": {"type": "string", "defaultValue": "1.0.0"},
                   "vmSize": {"type": "string", "defaultValue": "Standard_D2s_v3",
                              "allowedValues": ["Standard_D2s_v3", "Standard_D4s_v5"]},
                   "diskGb": {"type": "int", "defaultValue": 30},
                   "steps": {"type": "array"}},
    "resources": [{"type": "Microsoft.VirtualMachineImages/imageTemplates", "apiVersion": "2025-10-01",
                   "name": "img", "location": "westeurope",
                   "properties": {"vmProfile": {"vmSize": "[parameters('vmSize')]", "osDiskSizeGB": "[parameters('diskGb')]"},
                                  "source": {"type": "PlatformImage", "version": "[parameters('imageVersion')]"},
                                  "customize": "[parameters('steps')]", "distribute": []}}],
}


def _arm(tmp_path):
    path = tmp_path / "arm.json"
    path.write_text(json.dumps(ARM))
    return str(path)


def test_parameters_from_a_file_and_name_value_override_defaults(tmp_path):
    params = tmp_path / "p.json"
    params.write_text(json.dumps({"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",
                                  "contentVersion": "1.0.0.0",
                                  "parameters": {"imageVersion": {"value": "2.0.0"},
                                                 "steps": {"value": [{"type": "Shell", "inline": ["x"]}]}}}))
    values = read_parameter_args([str(params), "vmSize=Standard_D4s_v5", "diskgb=64"])
    props = load_template(_arm(tmp_path), parameters=values).body["properties"]
    assert props["source"]["version"] == "2.0.0" and props["vmProfile"] == {"vmSize": "Standard_D4s_v5", "osDiskSizeGB": 64}
    assert props["customize"] == [{"type": "Shell", "inline": ["x"]}]


@pytest.mark.parametrize("args, says", [
    (["nosuch=1"], "declares no parameter of that name"),
    (["diskGb=big"], "is not a valid int value"),
    (["vmSize=Standard_X"], "is not one of its allowedValues"),
    (["steps=[]", "imageVersion=1"], None),  # fine: text for a string parameter
])
def test_parameter_mistakes_are_one_line(tmp_path, args, says):
    if says is None:
        load_template(_arm(tmp_path), parameters=read_parameter_args(args))
        return
    with pytest.raises(UsageError) as err:
        load_template(_arm(tmp_path), parameters=read_parameter_args(args))
    assert says in err.value.one_line()


def test_a_missing_parameter_without_default_names_the_option(tmp_path):
    with pytest.raises(UsageError) as err:
        load_template(_arm(tmp_path))
    assert "--parameters steps=VALUE" in err.value.one_line()


def test_parameters_file_mistakes(tmp_path):
    for content, says in [("{", "is not valid JSON"), ('{"x": 1}', 'has no "parameters" object'),
                          ('{"parameters": {"a": 1}}', 'has no "value"'),
                          ('{"parameters": {"a": {"reference": {"keyVault": {}}}}}', "Key Vault reference")]:
        path = tmp_path / "bad.json"
        path.write_text(content)
        with pytest.raises(UsageError) as err:
            read_parameter_args([f"@{path}"])
        assert says in err.value.one_line()
    with pytest.raises(UsageError, match="does not exist"):
        read_parameter_args([str(tmp_path / "missing.json")])


def test_parameters_on_a_plain_image_template_point_to_set(tmp_path):
    path = tmp_path / "t.json"
    path.write_text(json.dumps({"location": "westeurope", "properties": {"source": {}}}))
    with pytest.raises(UsageError) as err:
        load_template(str(path), parameters={"x": 1})
    assert "--set PATH=VALUE" in err.value.one_line()


def test_a_secure_parameters_value_is_never_in_the_message(tmp_path):
    doc = dict(ARM, parameters=dict(ARM["parameters"], token={"type": "secureObject"},
                                    pin={"type": "securestring", "allowedValues": ["0000"]}))
    path = tmp_path / "arm.json"
    path.write_text(json.dumps(doc))
    for given in ("token=hunter2-not-json", "pin=hunter2"):
        with pytest.raises(UsageError) as err:
            load_template(str(path), parameters=read_parameter_args([given, "steps=[]"]))
        assert "hunter2" not in err.value.one_line() and "not shown" in err.value.one_line()
